package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium against a real runner process: a user enters the
 * token, pauses a profile from the page and sees it paused and the event arrive; 2 000 profiles
 * put one page of rows in the page, and paging and the runner's filters reach any of them. Screenshots go to {@code target/screenshots/} (build artifacts).
 */
@Tag("browser")
class DashboardBrowserTest {
    private static final String TOKEN = "dashboard-test-token-5c1f";
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Pattern URL = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir
    Path dir;
    private CliProcess runner;
    private HeadlessPage page;
    private int port;

    @AfterEach
    void stop() throws Exception {
        if (page != null) {
            page.close();
        }
        if (runner != null) {
            runner.process.destroy();
            runner.process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private void startRunner(String config) throws Exception {
        Path cfg = dir.resolve("runner.json");
        Files.writeString(cfg, config);
        runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        CliProcess.await("the runner says where it listens", 60_000, () -> {
            try {
                return URL.matcher(runner.err()).find() || !runner.process.isAlive();
            } catch (IOException e) {
                return false;
            }
        });
        Matcher m = URL.matcher(runner.err());
        assertTrue(m.find(), runner.err());
        port = Integer.parseInt(m.group(1));
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return new ObjectMapper().readTree(r.body());
    }

    private List<EventRecord> events() {
        return EventLogReader.readAll(dir.resolve("logs/events.jsonl"));
    }

    /** The token as a user gives it: the form asks for it once; it is kept in sessionStorage only. */
    private void enterToken(String token) throws InterruptedException {
        page.await("the token form", "!document.getElementById('token-form').hidden", 5_000);
        page.click("#token-input");
        page.type(token);
        page.click("#token-save");
        page.await("the token saved", "sessionStorage.getItem('smartRunner.apiToken') === " + HeadlessPage.js(token)
                + " && document.getElementById('token-form').hidden", 5_000);
    }

    private static String row(String id) {
        return "#fleet tr[data-id=\"" + id + "\"]";
    }

    @Test
    void pausingAProfileFromThePageShowsItPausedAndTheEventArrives() throws Exception {
        startRunner("""
                {"runner": {"startJitterMs": 0, "globalConcurrency": 4},
                 "http": {"port": 0, "token": "%s"},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "sleep 0.3"], "cooldownMs": 1500},
                 "recovery": {"retryBackoffMs": 2000, "verify": "none",
                              "steps": [{"name": "kick", "command": ["/bin/sh", "-c", "exit 1"]},
                                        {"name": "clearCache", "command": ["/bin/true"]}]},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}, {"id": "p2"}, {"id": "p3"}]},
                          {"name": "podB", "profiles": [
                             {"id": "b-busy", "session": {"command": ["/bin/sleep", "600"]}},
                             {"id": "b-flaky", "session": {"command": ["/bin/sh", "-c",
                                "echo '<img src=x onerror=window.__xss=1> boom' >&2; exit 3"]}}]}]}
                """.formatted(TOKEN));
        page = HeadlessPage.open(dir, "http://127.0.0.1:" + port + "/", 1440, 1000);
        page.await("the fleet table", "document.querySelectorAll('#fleet tr.profile').length === 5", 20_000);
        // the headline's "connecting…" turns into the refresh's time, the feed's into "live" once its stream is open
        page.await("the headline live", "document.getElementById('status').textContent.startsWith('live · ')", 20_000);
        page.await("the feed live", "document.getElementById('feed-status').textContent === 'live'", 20_000);
        assertTrue(page.eval("document.getElementById('runners-panel').hidden && !document.body.classList.contains('cluster')"
                + " && getComputedStyle(document.querySelector('#fleet td.col-runner')).display === 'none'").asBoolean(),
                "one runner (SQLite): no runner column, no runners panel");

        enterToken(TOKEN);
        assertFalse(page.eval("document.documentElement.outerHTML.includes(" + HeadlessPage.js(TOKEN)
                + ") || document.body.innerText.includes(" + HeadlessPage.js(TOKEN) + ") || location.href.includes('token')").asBoolean(),
                "the token is nowhere in the page or its URL");

        // pause p2 with the row's control: the dialog asks duration and reason
        String reason = "maintenance <b>window</b>";
        page.click(row("p2") + " button[data-action=pause]");
        page.await("the pause dialog", "document.getElementById('pause-dialog').open", 5_000);
        page.click("#pause-reason");
        page.type(reason);
        page.click("#pause-confirm");

        page.await("p2 shown paused with a countdown", "document.querySelector('" + row("p2") + " .badge')?.textContent === 'paused'"
                + " && /^59m \\d\\ds$/.test(document.querySelector('" + row("p2") + " .until .left')?.textContent)", 20_000);
        String countdown = page.text(row("p2") + " .until .left");
        page.await("the countdown ticking", "document.querySelector('" + row("p2") + " .until .left')?.textContent !== "
                + HeadlessPage.js(countdown), 5_000);
        assertEquals("Unpause", page.eval("[...document.querySelectorAll('" + row("p2")
                + " button')].filter(b => !b.hidden).map(b => b.textContent)[0]").asText());
        page.await("the pause event in the live feed", "[...document.querySelectorAll('#feed li[data-event=pause][data-profile=p2]')]"
                + ".some(li => li.textContent.includes('by api: ' + " + HeadlessPage.js(reason) + "))", 20_000);

        // what the page did is what the runner recorded
        JsonNode p2 = getJson("/api/profiles/p2");
        assertTrue(p2.path("flags").path("paused").asBoolean(), p2.toString());
        EventRecord pause = events().stream().filter(e -> e.event().equals("pause") && "p2".equals(e.profileId()))
                .findFirst().orElseThrow();
        assertEquals("api", pause.params().get("by"));
        assertEquals(reason, pause.params().get("reason"));
        assertEquals(3_600_000L, ((Number) pause.params().get("durationMs")).longValue());

        // markup from data (the typed reason, a session's stderr) is shown as text, never run
        page.await("b-flaky's error in the feed", "[...document.querySelectorAll('#feed li[data-event=error][data-profile=b-flaky]')]"
                + ".some(li => li.textContent.includes('<img src=x onerror=window.__xss=1> boom'))", 20_000);
        assertTrue(page.eval("window.__xss === undefined && !document.querySelector('#feed img, #feed b, #fleet img')").asBoolean(),
                "data is never parsed as HTML");
        page.await("a running profile", "document.querySelector('" + row("b-busy") + " .badge')?.textContent === 'running'", 20_000);

        // the charts: b-flaky's episodes (kick fails, clearCache heals) and the sessions of the last minutes
        page.await("both steps in the success-rate chart", "['kick', 'clearCache'].every(s => [...document.querySelectorAll("
                + "'#chart-steps svg text.lbl')].some(t => t.textContent === s))", 30_000);
        assertTrue(page.text("#chart-steps").contains("0%"), "kick never heals");
        page.await("sessions and failures in the timeline", "document.querySelector('#chart-timeline rect.bar-sessions')"
                + " && document.querySelector('#chart-timeline rect.bar-failures')", 20_000);

        page.screenshot(SCREENSHOTS.resolve("dashboard.png"), true, 3000);

        // and back: unpause from the page
        page.click(row("p2") + " button[data-action=unpause]");
        page.await("p2 unpaused", "document.querySelector('" + row("p2") + " .badge')?.textContent !== 'paused'", 20_000);
        page.await("the unpause event in the feed", "document.querySelector('#feed li[data-event=unpause][data-profile=p2]')", 20_000);
        assertTrue(events().stream().anyMatch(e -> e.event().equals("unpause") && "p2".equals(e.profileId())
                && "api".equals(e.params().get("by"))));
    }

    /**
     * A reviewer's tab, open across a runner restart, polled the event log for good after its
     * stream had failed three times (falling 80 s behind a busy fleet) under a red "the runner is
     * unreachable" that no successful poll cleared. A filter the API refuses (a "/" in it) stopped
     * the table's refreshes and wrapped the header; reload without a token did not ask for it.
     */
    @Test
    void theFeedGoesBackToTheStreamAfterARestartAndABadFilterIsSaidAtTheBox() throws Exception {
        int fixedPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            fixedPort = probe.getLocalPort();
        }
        String config = """
                {"runner": {"startJitterMs": 0},
                 "http": {"port": %d, "token": "%s"},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 500},
                 "pods": [{"name": "podA", "profiles": [{"id": "ok1"}, {"id": "ok2"}]}]}
                """.formatted(fixedPort, TOKEN);
        startRunner(config);
        page = HeadlessPage.open(dir, "http://127.0.0.1:" + port + "/", 1440, 1000);
        page.await("the feed live", "document.getElementById('feed-status')?.textContent === 'live'", 20_000);
        page.await("ok1's row", "document.querySelector('" + row("ok1") + "')", 20_000);
        assertEquals("Pause ok1", page.eval("document.querySelector('" + row("ok1")
                + " button[data-action=pause]').getAttribute('aria-label')").asText(), "a row's button names its profile");
        String log = page.eval("document.querySelector('" + row("ok1") + " a.log-link').href").asText();
        assertTrue(log.endsWith("/api/profiles/ok1/log?stream=stderr&bytes=65536"), log);
        HttpResponse<String> tail = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(log)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, tail.statusCode(), "the row's log link answers: " + tail.body());

        page.click("#reload");
        page.await("reload asks for the token", "!document.getElementById('token-form').hidden", 5_000);

        runner.process.destroy();
        assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
        page.await("the feed polling", "document.getElementById('feed-status')?.className.includes('bad')"
                + " || document.getElementById('feed-status')?.textContent.includes('polling')", 30_000);
        startRunner(config);
        assertEquals(fixedPort, port);
        page.await("the feed back on the stream", "document.getElementById('feed-status')?.textContent === 'live'", 60_000);

        page.click("#filter");
        page.type("shop/7");
        page.await("the filter said invalid at the box", "document.getElementById('filter').getAttribute('aria-invalid') === 'true'", 5_000);
        page.eval("document.getElementById('status').textContent = 'marker'");
        page.await("the table still refreshing", "document.getElementById('status').textContent.startsWith('live')"
                + " && document.getElementById('status').className === 'status ok'", 20_000);
        assertEquals(2, page.eval("document.querySelectorAll('#fleet tr.profile').length").asInt(), "the last filter (none) kept");

        // a phone's width (or 200 % zoom): the page does not scroll sideways, the table does inside its card
        page.close();
        page = HeadlessPage.open(dir, "http://127.0.0.1:" + port + "/", 390, 844);
        page.await("ok1's row at 390 px", "document.querySelector('" + row("ok1") + "')", 20_000);
        assertTrue(page.eval("document.documentElement.scrollWidth <= window.innerWidth").asBoolean(),
                "page width " + page.eval("document.documentElement.scrollWidth").asInt());
        assertTrue(page.eval("document.querySelector('" + row("ok1") + " .pid').getBoundingClientRect().height < 30")
                .asBoolean(), "the id on one line");
        assertTrue(page.eval("document.querySelector('.fleet').getBoundingClientRect().top"
                + " < document.querySelector('.feed').getBoundingClientRect().top").asBoolean(), "the fleet first");
        page.screenshot(SCREENSHOTS.resolve("dashboard-390.png"), true, 3000);
    }

    @Test
    void resetRunNowAndReloadFromThePageAndRefusalsShownInline() throws Exception {
        String config = """
                {"runner": {"startJitterMs": 0},
                 "http": {"port": 0, "token": "%s"},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 600000},
                 "recovery": {"maxErrorStreak": 100},
                 "pods": [{"name": "podA", "profiles": [{"id": "ok1"},
                    {"id": "bad1", "session": {"command": ["/bin/sh", "-c", "exit 2"]}}%s]}]}
                """;
        startRunner(config.formatted(TOKEN, ""));
        page = HeadlessPage.open(dir, "http://127.0.0.1:" + port + "/", 1440, 1000);
        enterToken(TOKEN);
        page.await("ok1 ran once and bad1 failed once", "document.querySelector('" + row("ok1") + "')?.dataset.state === 'idle'"
                + " && document.querySelector('" + row("bad1") + " .streak')?.textContent === '1'", 20_000);

        // run now: the cooldown (10 min) is skipped
        page.click(row("ok1") + " button[data-action=run]");
        page.await("the run event in the feed", "document.querySelector('#feed li[data-event=run][data-profile=ok1]')", 20_000);
        CliProcess.await("a second session of ok1", 20_000, () -> events().stream()
                .filter(e -> e.event().equals("start") && "ok1".equals(e.profileId())).count() == 2);

        // reset the streak
        page.click(row("bad1") + " button[data-action=reset]");
        page.await("bad1's streak at 0", "document.querySelector('" + row("bad1") + " .streak')?.textContent === '0'", 20_000);
        page.await("the reset event in the feed", "document.querySelector('#feed li[data-event=reset][data-profile=bad1]')", 20_000);
        assertTrue(events().stream().anyMatch(e -> e.event().equals("reset") && "api".equals(e.params().get("by"))));

        // a refusal from the runner shows in the row: unpause a profile that is not paused (409)
        page.eval("document.querySelector('" + row("ok1") + " button[data-action=unpause]').hidden = false");
        page.click(row("ok1") + " button[data-action=unpause]");
        page.await("the 409 in the row", "document.querySelector('" + row("ok1") + " .row-msg.error')?.textContent.includes('not paused')", 10_000);

        // reload: a profile added to the file appears
        Files.writeString(dir.resolve("runner.json"), config.formatted(TOKEN, ", {\"id\": \"new1\"}"));
        page.click("#reload");
        page.await("the reload summary", "document.getElementById('notice')?.textContent.startsWith('Config reloaded: 1 added, 0 removed')", 20_000);
        page.await("the new row", "document.querySelector('" + row("new1") + "')", 20_000);

        // a wrong token: the runner refuses it (401) and the page asks for the token again
        page.eval("sessionStorage.setItem('smartRunner.apiToken', 'wrong')");
        page.click(row("bad1") + " button[data-action=pause]");
        page.click("#pause-confirm");
        page.await("the token asked for again", "!document.getElementById('token-form').hidden"
                + " && document.getElementById('token-hint')?.textContent.includes('refused the token')", 10_000);
        assertTrue(page.eval("sessionStorage.getItem('smartRunner.apiToken') === null").asBoolean(), "the wrong token is forgotten");
        assertFalse(getJson("/api/profiles/bad1").path("flags").path("paused").asBoolean());
    }

    @Test
    void aWholePodPausedAndUnpausedFromItsHeadingEveryProfileItsOwnEvent() throws Exception {
        startRunner("""
                {"runner": {"startJitterMs": 0},
                 "http": {"port": 0, "token": "%s"},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 600000},
                 "pods": [{"name": "podA", "profiles": [{"id": "a1"}, {"id": "a2"}, {"id": "a3"}]},
                          {"name": "podB", "profiles": [{"id": "b1"}]}]}
                """.formatted(TOKEN));
        page = HeadlessPage.open(dir, "http://127.0.0.1:" + port + "/", 1440, 1000);
        enterToken(TOKEN);
        page.await("every profile ran once", "[...document.querySelectorAll('#fleet tr.profile')]"
                + ".filter(r => r.dataset.state === 'idle').length === 4", 20_000);
        // a3 is paused already, for longer than the pod will be: the pod's pause is refused for it alone
        // (a shorter pause would be made longer: reviewer R14)
        page.click(row("a3") + " button[data-action=pause]");
        page.eval("document.getElementById('pause-duration').value = '86400000'");
        page.click("#pause-confirm");
        page.await("a3 paused", "document.querySelector('" + row("a3") + " .badge')?.textContent === 'paused'", 20_000);

        page.click("#fleet tbody[data-pod=podA] button[data-action=pod-pause]");
        page.await("the pause dialog for the pod", "document.getElementById('pause-dialog').open"
                + " && document.getElementById('pause-target').textContent === 'every profile of podA'", 5_000);
        page.eval("document.getElementById('pause-duration').value = '3600000'");
        page.click("#pause-reason");
        page.type("site down");
        page.click("#pause-confirm");

        page.await("podA's profiles paused, podB's not", "['a1', 'a2', 'a3'].every(id => document.querySelector("
                + "'#fleet tr[data-id=\"' + id + '\"] .badge')?.textContent === 'paused')"
                + " && document.querySelector('" + row("b1") + " .badge')?.textContent !== 'paused'", 20_000);
        page.await("what was done and refused, said", "document.getElementById('notice')?.textContent"
                + ".startsWith('podA: paused 2 profile(s); 1 refused (a3 is already paused')", 10_000);
        assertEquals(List.of("a3", "a1", "a2"), events().stream().filter(e -> e.event().equals("pause"))
                .map(EventRecord::profileId).toList(), "each profile its own event, a3's from its own pause");
        assertTrue(events().stream().filter(e -> e.event().equals("pause") && !"a3".equals(e.profileId()))
                .allMatch(e -> "api".equals(e.params().get("by")) && "site down".equals(e.params().get("reason"))));

        page.click("#fleet tbody[data-pod=podA] button[data-action=pod-unpause]");
        page.await("podA's profiles unpaused", "['a1', 'a2', 'a3'].every(id => document.querySelector("
                + "'#fleet tr[data-id=\"' + id + '\"] .badge')?.textContent !== 'paused')", 20_000);
        assertFalse(getJson("/api/profiles/a1").path("flags").path("paused").asBoolean());
    }

    /**
     * What the page shows above the fleet (the charts, a notice) may change at any moment; the rows
     * must stay where the pointer is. The timeline's message once grew into its chart between a
     * click's aim and its press, and "Run now" landed on the fleet's header (seen under load).
     */
    @Test
    void theFleetStaysPutWhileTheChartsChangeAndANoticeComesAndGoes() throws Exception {
        String config = """
                {"runner": {"startJitterMs": 0},
                 "http": {"port": 0, "token": "%s"},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 3"], "cooldownMs": 600000},
                 "recovery": {"retryBackoffMs": 100, "verify": "none", "maxErrorStreak": 100,
                              "steps": [{"name": "kick", "command": ["/bin/true"]}]},
                 "pods": [{"name": "podA", "profiles": [{"id": "f1"}%s]}]}
                """;
        startRunner(config.formatted(TOKEN, ""));
        page = HeadlessPage.open(dir, "http://127.0.0.1:" + port + "/", 1440, 1000);
        enterToken(TOKEN);
        page.await("the charts drawn", "document.querySelector('#chart-steps svg text.lbl')?.textContent === 'kick'"
                + " && document.querySelector('#chart-timeline rect.bar-sessions')", 30_000);
        String fleetTop = "document.getElementById('fleet').getBoundingClientRect().top + window.scrollY";
        double drawn = page.eval(fleetTop).asDouble();

        Files.writeString(dir.resolve("runner.json"), config.formatted(TOKEN, ", {\"id\": \"f2\"}"));
        page.click("#reload");
        page.await("the reload's notice", "!document.getElementById('notice').hidden", 20_000);
        assertEquals(drawn, page.eval(fleetTop).asDouble(), "the fleet's top with the notice shown");
        page.screenshot(SCREENSHOTS.resolve("dashboard-notice.png"), false, 0);
        page.eval("document.getElementById('notice').hidden = true");
        assertEquals(drawn, page.eval(fleetTop).asDouble(), "the fleet's top with the notice gone");

        // a control's answer in its row: the rows below stay where they were, when it comes and when it goes
        page.await("f2's row", "document.querySelector('" + row("f2") + "')", 20_000);
        String f2Top = "document.querySelector('" + row("f2") + "').getBoundingClientRect().top + window.scrollY";
        double f2 = page.eval(f2Top).asDouble();
        page.click(row("f1") + " button[data-action=reset]");
        page.await("the reset's answer in f1's row", "document.querySelector('" + row("f1") + " .row-msg')?.textContent === 'streak reset'", 20_000);
        page.screenshot(SCREENSHOTS.resolve("dashboard-row-message.png"), false, 0);
        assertEquals(f2, page.eval(f2Top).asDouble(), "f2's top with f1's answer shown");
        page.eval("document.querySelector('" + row("f1") + " .row-msg').textContent = ''");
        assertEquals(f2, page.eval(f2Top).asDouble(), "f2's top with f1's answer gone");
        assertEquals(page.eval("document.getElementById('fleet').getBoundingClientRect().right").asDouble(),
                page.eval("document.querySelector('" + row("f2") + " td.actions').getBoundingClientRect().right").asDouble(), 1.0,
                "a row reaches the table's right edge (no empty column after Actions)");

        // a pause longer than a day (the runner's own are 24 h to 26.4 h) shows "1d 23h Dec 5 18:20": on one line,
        // so a profile the runner pauses does not grow its row and push the rows below
        assertEquals(200, page.eval("fetch('/api/profiles/f1/pause', {method: 'POST', headers: {'Content-Type': 'application/json',"
                + " Authorization: 'Bearer ' + sessionStorage.getItem('smartRunner.apiToken')},"
                + " body: JSON.stringify({durationMs: 172800000, reason: 'two days'})}).then(r => r.status)").asInt());
        page.await("f1 shown paused for two days", "/^1d 23h/.test(document.querySelector('" + row("f1") + " .until .left')?.textContent)", 20_000);
        assertEquals(f2, page.eval(f2Top).asDouble(), "f2's top with f1 paused for two days");
        assertTrue(page.eval("(c => c.scrollWidth <= c.clientWidth)(document.querySelector('" + row("f1") + " td.until'))")
                .asBoolean(), "the date beside the countdown is whole, not cut off: "
                + page.eval("document.querySelector('" + row("f1") + " td.until').textContent").asText());
        // and one of less than a day (a pause by hand): hours and minutes, then the time
        assertEquals(200, page.eval("fetch('/api/profiles/f2/pause', {method: 'POST', headers: {'Content-Type': 'application/json',"
                + " Authorization: 'Bearer ' + sessionStorage.getItem('smartRunner.apiToken')},"
                + " body: JSON.stringify({durationMs: 82800000, reason: 'almost a day'})}).then(r => r.status)").asInt());
        page.await("f2 shown paused for 23 h", "/^22h 59m$/.test(document.querySelector('" + row("f2") + " .until .left')?.textContent)", 20_000);
        assertTrue(page.eval("(c => c.scrollWidth <= c.clientWidth)(document.querySelector('" + row("f2") + " td.until'))")
                .asBoolean(), "the time beside the countdown is whole: "
                + page.eval("document.querySelector('" + row("f2") + " td.until').textContent").asText());

        // what a chart shows before its first report (a line of text), and a ladder of many steps
        page.eval("document.getElementById('chart-timeline').innerHTML = '<p class=\"empty\">loading…</p>'");
        page.eval("document.getElementById('chart-steps').innerHTML = '<div style=\"height: 2000px\"></div>'");
        assertEquals(drawn, page.eval(fleetTop).asDouble(), "the fleet's top with a message and a tall chart");
    }

    /**
     * A session that fails again the same way right after a recovery: the next episode starts above
     * the step that recovered it, and the feed says which step did not hold.
     */
    @Test
    void theFeedSaysWhichStepDidNotHoldWhenTheLadderClimbs() throws Exception {
        startRunner("""
                {"runner": {"startJitterMs": 0},
                 "http": {"port": 0, "token": "%s"},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "echo stuck >&2; exit 3"], "cooldownMs": 100},
                 "recovery": {"retryBackoffMs": 100, "verify": "none", "maxErrorStreak": 100,
                              "steps": [{"name": "kick", "command": ["/bin/true"]},
                                        {"name": "punch", "command": ["/bin/true"]}]},
                 "pods": [{"name": "podA", "profiles": [{"id": "stuck"}]}]}
                """.formatted(TOKEN));
        page = HeadlessPage.open(dir, "http://127.0.0.1:" + port + "/", 1440, 1000);

        page.await("punch's recovery above kick in the feed", "[...document.querySelectorAll('#feed li[data-event=recover]"
                + "[data-profile=stuck]')].some(li => li.textContent.includes('punch → ok · above kick, which did not hold'))",
                30_000);

        EventRecord climbed = events().stream().filter(e -> e.event().equals("recover")
                && "kick".equals(e.params().get("relapseOf"))).findFirst().orElseThrow();
        assertEquals(List.of("punch", 2), List.of(climbed.params().get("action"), climbed.params().get("startStep")));
    }

    /**
     * A busy fleet puts new events on top of the feed every 200 ms: while the pointer is on the list
     * they wait, so the item a user aims at (its profile filters the fleet) stays where it is.
     */
    @Test
    void theLiveFeedHoldsStillWhileThePointerIsOnIt() throws Exception {
        startRunner("""
                {"runner": {"startJitterMs": 0},
                 "http": {"port": 0, "token": "%s"},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 50},
                 "pods": [{"name": "podA", "profiles": [{"id": "busy"}]}]}
                """.formatted(TOKEN));
        page = HeadlessPage.open(dir, "http://127.0.0.1:" + port + "/", 1440, 1000);
        page.await("events in the feed", "document.querySelectorAll('#feed li').length >= 4", 20_000);
        page.hover("#feed li:first-child .ev-who");
        page.eval("document.querySelector('#feed li').dataset.mark = 'aimed'");
        page.await("new events held", "!document.getElementById('feed-held').hidden"
                + " && /^· paused: [1-9]\\d* new$/.test(document.getElementById('feed-held').textContent)", 20_000);
        assertEquals("aimed", page.eval("document.querySelector('#feed li').dataset.mark").asText(),
                "the item under the pointer is still the first");
        page.click("#feed li[data-mark=aimed] .ev-who"); // its profile filters the fleet; the click focuses the button
        assertEquals("busy", page.eval("document.getElementById('filter').value").asText());

        page.moveMouse(5, 5); // a focus a click gave does not keep the feed paused
        page.await("the held events shown on top", "document.getElementById('feed-held').hidden"
                + " && document.querySelector('#feed li').dataset.mark !== 'aimed'"
                + " && document.querySelector('#feed li[data-mark=aimed]') !== null", 20_000);

        // the same while the keyboard's focus is on an item (after a key, focus is the keyboard's: :focus-visible)
        page.press("a");
        page.eval("document.querySelector('#feed li .ev-who').focus()");
        page.eval("document.querySelector('#feed li').dataset.mark = 'focused'");
        page.await("new events held for the keyboard", "document.querySelector('#feed li .ev-who').matches(':focus-visible')"
                + " && !document.getElementById('feed-held').hidden", 20_000);
        assertEquals("focused", page.eval("document.querySelector('#feed li').dataset.mark").asText());
        page.eval("document.getElementById('filter').focus()");
        page.await("shown once the focus left", "document.getElementById('feed-held').hidden"
                + " && document.querySelector('#feed li').dataset.mark !== 'focused'", 20_000);
    }

    /**
     * A fleet of quick sessions fills the feed with starts and ends; "problems only" keeps the
     * failures in it (and takes out what it hides at once), and the choice stays for the tab.
     */
    @Test
    void theFeedCanShowOnlyTheProblemsAndKeepsTheChoiceForTheTab() throws Exception {
        startRunner("""
                {"runner": {"startJitterMs": 0},
                 "http": {"port": 0, "token": "%s"},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 50},
                 "recovery": {"steps": [], "maxErrorStreak": 1000},
                 "pods": [{"name": "podA", "profiles": [{"id": "busy"},
                           {"id": "bad", "session": {"command": ["/bin/sh", "-c", "exit 3"], "cooldownMs": 400}}]}]}
                """.formatted(TOKEN));
        page = HeadlessPage.open(dir, "http://127.0.0.1:" + port + "/", 1440, 1000);
        page.await("starts and ends in the feed", "document.querySelector('#feed li[data-event=finish][data-profile=busy]')"
                + " && document.querySelector('#feed li[data-event=start]')", 20_000);
        String onlyProblems = "[...document.querySelectorAll('#feed li')].every(li => ['error', 'recover', 'pause']"
                + ".includes(li.dataset.event))";

        page.eval("const f = document.getElementById('feed-filter'); f.value = 'problems';"
                + " f.dispatchEvent(new Event('change'))");

        assertTrue(page.eval(onlyProblems).asBoolean(), "the starts and ends already shown were taken out");
        page.eval("document.querySelectorAll('#feed li').forEach(li => li.dataset.old = '1')");
        page.await("a new error of bad's, and nothing else new", "document.querySelector('#feed li[data-event=error]"
                + "[data-profile=bad]:not([data-old])') && " + onlyProblems, 20_000);
        assertTrue(page.eval(onlyProblems).asBoolean());

        page.eval("window.__before = 1; location.reload()");
        page.await("the page again, the feed live", "window.__before === undefined"
                + " && document.getElementById('feed-status')?.textContent === 'live'", 20_000);
        assertEquals("problems", page.eval("document.getElementById('feed-filter').value").asText(), "kept for the tab");
        page.await("bad's errors again", "document.querySelector('#feed li[data-event=error][data-profile=bad]')", 20_000);
        assertTrue(page.eval(onlyProblems).asBoolean(), "the first page of events is filtered too");
    }

    /** The page's own measure (performance.now(), as a User Timing entry) of a refresh: total, fetch, table update, in ms. */
    @Test
    void inClusterModeEachProfileShowsItsRunnerAndTheRunnersPanelListsTheFleet() throws Exception {
        String url = io.smartrunner.testkit.PostgresServer.shared().newDatabase("dashboard_cluster");
        startRunner("""
                {"runner": {"startJitterMs": 0, "globalConcurrency": 2, "name": "alpha"},
                 "http": {"port": 0, "token": "%s"},
                 "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "%s"},
                 "session": {"command": ["/bin/sleep", "600"]},
                 "pods": [{"name": "podA", "profiles": [{"id": "c1"}, {"id": "c2"}, {"id": "g1", "runOn": ["gpu"]}]}]}
                """.formatted(TOKEN, url, io.smartrunner.testkit.PostgresServer.PASSWORD));
        page = HeadlessPage.open(dir, "http://127.0.0.1:" + port + "/", 1440, 1000);
        page.await("both profiles on runner alpha", "[...document.querySelectorAll('#fleet tr.profile td.col-runner')]"
                + ".filter(td => td.textContent === 'alpha' && getComputedStyle(td).display === 'table-cell').length === 2", 30_000);
        assertEquals("Runner", page.eval("getComputedStyle(document.querySelector('#fleet th.col-runner')).display === 'table-cell'"
                + " && document.querySelector('#fleet th.col-runner').textContent").asText());
        page.await("the runners panel", "!document.getElementById('runners-panel').hidden && document.querySelector("
                + "'#runners li[data-name=alpha]') !== null", 20_000);
        String item = page.eval("document.querySelector('#runners li[data-name=alpha]').textContent").asText();
        assertTrue(item.contains("alpha") && item.contains("alive") && item.contains("/2 sessions"), item);
        assertEquals(page.eval("document.getElementById('fleet').getBoundingClientRect().right").asDouble(),
                page.eval("document.querySelector('" + row("c1") + " td.actions').getBoundingClientRect().right").asDouble(), 1.0,
                "with the Runner column too, a row reaches the table's right edge");
        page.screenshot(SCREENSHOTS.resolve("dashboard-cluster.png"), false, 0);


        // g1 waits for a runner labelled gpu: never run, yet listed (no runner), and "Pause all" reaches it
        assertEquals("—", page.eval("document.querySelector('" + row("g1") + " td.col-runner').textContent").asText());
        enterToken(TOKEN);
        page.click("#fleet tbody[data-pod=podA] button[data-action=pod-pause]");
        page.await("the pause dialog for the pod", "document.getElementById('pause-dialog').open", 5_000);
        page.click("#pause-confirm");
        page.await("the pod's three profiles paused", "['c1', 'c2', 'g1'].every(id => document.querySelector("
                + "'#fleet tr[data-id=\"' + id + '\"] .badge')?.textContent === 'paused')", 20_000);
        page.await("what was done, said", "document.getElementById('notice')?.textContent === 'podA: paused 3 profile(s).'", 10_000);
        page.screenshot(SCREENSHOTS.resolve("dashboard-cluster-paused.png"), false, 0);

        // a runner whose config gives podA another concurrency joins (its row as it would write it;
        // last: alive by its row, it would be given a share of the leases): the badge
        io.smartrunner.testkit.PostgresServer.shared().execute(url.substring(url.lastIndexOf('/') + 1),
                "INSERT INTO runners (name, runner_id, incarnation, member_name, host, pid, capacity, sessions,"
                + " started_at, heartbeat_at, lease_ttl_ms, fleet_config, fleet_config_digest) VALUES ('other:/data',"
                + " 'beta-id', nextval('runner_incarnations'), 'beta', 'other', 1, 2, 0, now(),"
                + " now() + interval '1 hour', 15000, '{\"pods\":{\"podA\":5},\"profiles\":{}}', 'beta-digest')");
        page.await("alpha's config-differs badge", "document.querySelector('#runners li[data-name=alpha]"
                + " .runner-config-differs')?.textContent === 'config differs from beta'", 20_000);
        String tip = page.eval("document.querySelector('#runners li[data-name=alpha] .runner-config-differs').title").asText();
        assertTrue(tip.contains("pod podA has concurrency"), tip);
    }

    private JsonNode timings(String name) {
        return page.eval("(m => ({refreshMs: m.duration.toFixed(1), fetchMs: m.detail.fetchMs.toFixed(1),"
                + " renderMs: m.detail.renderMs.toFixed(1), rows: m.detail.rows}))(performance.getEntriesByName('" + name + "').pop())");
    }

    private int domRows() {
        return page.eval("document.querySelectorAll('#fleet tr.profile').length").asInt();
    }

    private String pageIds() {
        return page.eval("[...document.querySelectorAll('#fleet tr.profile')].map(r => r.dataset.id).join(' ')").asText();
    }

    /** Waits until the table shows exactly {@code ids} (space-separated, in order). */
    private void awaitRows(String what, String firstId, String lastId, int count) throws InterruptedException {
        page.await(what, "(r => r.length === " + count + " && r[0].dataset.id === " + HeadlessPage.js(firstId)
                + " && r[r.length - 1].dataset.id === " + HeadlessPage.js(lastId) + ")([...document.querySelectorAll('#fleet tr.profile')])",
                20_000);
    }

    @Test
    void twoThousandProfilesPutOnlyOnePageOfRowsInThePageAndPagingReachesTheLast() throws Exception {
        String pods = IntStream.range(0, 10).mapToObj(p -> "{\"name\": \"pod" + p + "\", \"profiles\": ["
                + IntStream.range(0, 200).mapToObj(i -> "{\"id\": \"w" + p + "-" + String.format("%03d", i) + "\"}")
                        .collect(Collectors.joining(", ")) + "]}").collect(Collectors.joining(",\n"));
        startRunner("""
                {"runner": {"startJitterMs": 0, "globalConcurrency": 4},
                 "http": {"port": 0, "token": "%s"},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sleep", "600"]},
                 "pods": [%s]}
                """.formatted(TOKEN, pods));
        page = HeadlessPage.open(dir, "http://127.0.0.1:" + port + "/", 1440, 1000);
        page.await("the first refresh", "performance.getEntriesByName('sr:first-refresh').length === 1", 30_000);
        JsonNode first = timings("sr:first-refresh");
        // the header counts the whole fleet (GET /api/summary); the table holds one page of it
        page.await("2000 profiles, 4 running in the header", "document.querySelector('[data-count=total]').textContent === '2000'"
                + " && document.querySelector('[data-count=running]').textContent === '4'", 20_000);
        awaitRows("the first page", "w0-000", "w0-049", 50);
        assertEquals("1–50 of 2000 profiles", page.text("#shown"));
        assertEquals(1, page.eval("document.querySelectorAll('#fleet tbody.pod').length").asInt(), "only pod0 is on page 1");
        assertTrue(page.text("tbody[data-pod=pod0] .pod-counts").startsWith("200 profiles"), "pod0 counted whole, not its 50 rows");
        // its slots (GET /api/pods): the pod's concurrency is the runner's 4 here
        page.await("pod0's slots in use", "/^[0-4] \\/ 4 slots in use$/.test("
                + "document.querySelector('tbody[data-pod=pod0] .pod-slots').textContent)", 20_000);

        // paging: the next page replaces the rows, the last page reaches the fleet's last profile
        page.click("#page-next");
        awaitRows("the second page", "w0-050", "w0-099", 50);
        assertEquals("51–100 of 2000 profiles", page.text("#shown"));
        page.click("#page-last");
        awaitRows("the last page", "w9-150", "w9-199", 50);
        assertEquals("1951–2000 of 2000 profiles", page.text("#shown"));
        assertTrue(page.eval("document.getElementById('page-next').disabled").asBoolean(), "no page after the last");
        page.await("two more refreshes", "performance.getEntriesByName('sr:refresh').some(m => m.detail.count >= 5)", 20_000);
        JsonNode steady = timings("sr:refresh");
        assertEquals(50, domRows(), "a refresh keeps one page of rows: " + pageIds());

        // the filters are the runner's: part of an id, a state, a pod
        page.click("#filter");
        page.type("w7-19");
        awaitRows("w7-190..w7-199", "w7-190", "w7-199", 10);
        assertEquals("1–10 of 10 matching", page.text("#shown"));
        page.eval("(() => { const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input'));"
                + " const s = document.getElementById('state-filter'); s.value = 'running'; s.dispatchEvent(new Event('change')); })()");
        page.await("the 4 running profiles", "document.getElementById('shown').textContent === '1–4 of 4 matching'"
                + " && [...document.querySelectorAll('#fleet tr.profile')].every(r => r.dataset.state === 'running')", 20_000);
        page.eval("(() => { const s = document.getElementById('state-filter'); s.value = ''; s.dispatchEvent(new Event('change'));"
                + " const p = document.getElementById('pod-filter'); p.value = 'pod4'; p.dispatchEvent(new Event('change')); })()");
        awaitRows("pod4's first page", "w4-000", "w4-049", 50);
        assertEquals("1–50 of 200 matching", page.text("#shown"));
        assertEquals(11, page.eval("document.getElementById('pod-filter').options.length").asInt(), "all pods and the 10 pods");
        // a profile clicked in the live events: the table shows it, whatever pod was chosen
        // (the pods take turns among profiles that never ran: the 4 slots go to pod0..pod3's first)
        page.await("w3-000's start in the feed", "document.querySelector('#feed li[data-event=start][data-profile=w3-000]')", 20_000);
        page.click("#feed li[data-event=start][data-profile=w3-000] .ev-who");
        awaitRows("only w3-000", "w3-000", "w3-000", 1);
        assertEquals("", page.eval("document.getElementById('pod-filter').value").asText());
        System.out.printf("dashboard with 2000 profiles, 50 rows a page: first refresh %s ms (fetch %s + build %s), later refresh"
                + " %s ms (fetch %s + compare and update %s)%n",
                first.get("refreshMs").asText(), first.get("fetchMs").asText(), first.get("renderMs").asText(),
                steady.get("refreshMs").asText(), steady.get("fetchMs").asText(), steady.get("renderMs").asText());
        page.screenshot(SCREENSHOTS.resolve("dashboard-2000.png"), false, 0);
    }
}
