package io.smartrunner.browser.cdp;

/**
 * Where a profile's browser answers DevTools. Both are credentials for the browser: they are
 * handed to sessions ({@code {cdpUrl}}, SR_CDP_URL) and never written to events, logs or status.
 *
 * @param httpBase          e.g. {@code http://127.0.0.1:40123} (target discovery)
 * @param browserWebSocket  the browser's DevTools WebSocket URL
 */
public record BrowserEndpoint(String httpBase, String browserWebSocket) {
    /** What {@link BrowserProvider#none()} opens: no browser, so no URLs (a session gets no {@code {cdpUrl}}). */
    public static final BrowserEndpoint NONE = new BrowserEndpoint(null, null);

    /** The endpoint a session receives as {@code {cdpUrl}}: its HTTP base is the WebSocket's host and port. */
    public static BrowserEndpoint fromWebSocket(String browserWebSocket) {
        java.net.URI ws = java.net.URI.create(browserWebSocket);
        return new BrowserEndpoint("http://" + ws.getHost() + ":" + ws.getPort(), browserWebSocket);
    }

    @Override
    public String toString() {
        return "BrowserEndpoint[***]";
    }
}
