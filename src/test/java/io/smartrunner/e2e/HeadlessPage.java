package io.smartrunner.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.smartrunner.browser.ChromiumProvider;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.browser.cdp.CdpClient;
import io.smartrunner.browser.cdp.DevToolsEndpoints;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One real headless Chromium on one page, driven like a user would: real mouse clicks and typed
 * text through CDP's {@code Input} domain, JavaScript only to read the page. The browser is
 * started by the chromium provider (own process group, nothing left behind on close).
 */
final class HeadlessPage implements AutoCloseable {
    private static final Duration CALL = Duration.ofSeconds(20);
    private final ChromiumProvider browsers;
    private final CdpClient cdp;

    private HeadlessPage(ChromiumProvider browsers, CdpClient cdp) {
        this.browsers = browsers;
        this.cdp = cdp;
    }

    /** Starts Chromium on {@code url} with a {@code width}x{@code height} window and waits for the first load. */
    static HeadlessPage open(Path dir, String url, int width, int height) {
        BrowserSettings d = BrowserSettings.defaults();
        BrowserSettings settings = new BrowserSettings(BrowserSettings.Provider.CHROMIUM,
                new BrowserSettings.Chromium(null, true, List.of("--window-size=" + width + "," + height, "--hide-scrollbars")),
                d.adspower(), true, true, 30_000);
        ChromiumProvider browsers = new ChromiumProvider(settings, dir.resolve("browsers"), dir.resolve("browser-logs"),
                PosixSpawnLauncher.best(), new ProcFsProcessTable(), "dashboard-test-" + UUID.randomUUID());
        try {
            BrowserEndpoint endpoint = browsers.open(new ProfileConfig("viewer", "test", url, SessionSettings.defaults(), null, null));
            DevToolsEndpoints.Target page = DevToolsEndpoints.targets(endpoint.httpBase(), CALL).stream()
                    .filter(t -> "page".equals(t.type())).findFirst().orElseThrow();
            HeadlessPage p = new HeadlessPage(browsers, CdpClient.connect(URI.create(page.webSocketDebuggerUrl()), CALL));
            p.call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
            return p;
        } catch (RuntimeException e) {
            browsers.close();
            throw e;
        }
    }

    JsonNode call(String method, Map<String, Object> params) {
        try {
            return cdp.send(method, params, CALL).get(CALL.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError(method + " failed: " + e, e);
        }
    }

    /** The value of a JavaScript expression (a promise is awaited); a thrown exception fails the test. */
    JsonNode eval(String expression) {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.hasNonNull("exceptionDetails")) {
            JsonNode ex = r.get("exceptionDetails");
            throw new AssertionError(expression + " threw: " + ex.path("exception").path("description").asText(ex.path("text").asText()));
        }
        return r.path("result").path("value");
    }

    String text(String selector) {
        return eval("(document.querySelector(" + js(selector) + ") || {}).textContent ?? null").asText(null);
    }

    /** Polls a JavaScript condition every 50 ms until it is truthy or the bound passes (then says what the page showed). */
    void await(String what, String condition, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!eval("!!(" + condition + ")").asBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what + "; the page said: "
                        + eval("document.body.innerText.slice(0, 1500)").asText());
            }
            Thread.sleep(50);
        }
    }

    /**
     * A real left click in the middle of the element (scrolled into view first), as the mouse would do it.
     * The element is marked so the click's arrival can be checked: a click that landed elsewhere (the
     * page moved between measuring and pressing) fails here, naming what was under the mouse.
     */
    void click(String selector) {
        double[] at = centre(selector, "window.__srClicked = false;"
                + " e.addEventListener('click', () => { window.__srClicked = true; }, {once: true, capture: true});", "click");
        double x = at[0];
        double y = at[1];
        moveMouse(x, y);
        call("Input.dispatchMouseEvent", Map.of("type", "mousePressed", "x", x, "y", y, "button", "left", "clickCount", 1));
        call("Input.dispatchMouseEvent", Map.of("type", "mouseReleased", "x", x, "y", y, "button", "left", "clickCount", 1));
        if (!eval("window.__srClicked === true").asBoolean()) {
            throw new AssertionError("the click at " + selector + " (" + x + ", " + y + ") did not reach it; there now: "
                    + eval("(() => { const e = document.elementFromPoint(" + x + ", " + y + "); const t = document.querySelector(" + js(selector) + ");"
                    + " const r = t && t.getBoundingClientRect(); return (e ? e.outerHTML.slice(0, 200) : 'nothing')"
                    + " + '; the target: ' + (t ? t.outerHTML.slice(0, 200) + ' at ' + JSON.stringify(r) : 'gone'); })()").asText());
        }
    }

    /** Moves the mouse to the middle of the element (scrolled into view first), as a user pointing at it. */
    void hover(String selector) {
        double[] at = centre(selector, "", "point at");
        moveMouse(at[0], at[1]);
    }

    /** The element's middle in the viewport, scrolled into view first; {@code also} runs with it as {@code e}. */
    private double[] centre(String selector, String also, String verb) {
        JsonNode box = eval("(() => { const e = document.querySelector(" + js(selector) + "); if (!e) return null;"
                + " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); " + also
                + " return {x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width}; })()");
        if (box.isNull() || box.path("w").asDouble() == 0) {
            throw new AssertionError("nothing visible to " + verb + " at " + selector);
        }
        return new double[] {box.get("x").asDouble(), box.get("y").asDouble()};
    }

    /** Moves the mouse to a point of the viewport. */
    void moveMouse(double x, double y) {
        call("Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", x, "y", y));
    }

    /** Presses and releases one key ({@code KeyboardEvent.key}, e.g. "a" or "Tab"). */
    void press(String key) {
        call("Input.dispatchKeyEvent", Map.of("type", "keyDown", "key", key));
        call("Input.dispatchKeyEvent", Map.of("type", "keyUp", "key", key));
    }

    /** Types into the focused element as a keyboard would (input events included). */
    void type(String text) {
        call("Input.insertText", Map.of("text", text));
    }

    /** A PNG of the viewport, or of the whole page up to {@code maxHeight} CSS pixels when {@code fullPage}. */
    void screenshot(Path file, boolean fullPage, int maxHeight) throws IOException {
        Map<String, Object> params = new java.util.HashMap<>(Map.of("format", "png"));
        if (fullPage) {
            JsonNode size = call("Page.getLayoutMetrics", Map.of()).path("cssContentSize");
            params.put("captureBeyondViewport", true);
            params.put("clip", Map.of("x", 0, "y", 0, "width", size.path("width").asDouble(),
                    "height", Math.min(size.path("height").asDouble(), maxHeight), "scale", 1));
        }
        byte[] png = Base64.getDecoder().decode(call("Page.captureScreenshot", params).path("data").asText());
        Files.createDirectories(file.getParent());
        Files.write(file, png);
    }

    static String js(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    @Override
    public void close() {
        cdp.close();
        browsers.close();
    }
}
