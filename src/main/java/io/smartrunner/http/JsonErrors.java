package io.smartrunner.http;

import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The refusals Jetty makes before a request reaches a route (a malformed or ambiguous path, a bad
 * escape, headers too large) in the API's own form, {@code {"error": "..."}} on one line, instead
 * of Jetty's HTML page: a script that reads the API's errors reads these too.
 */
final class JsonErrors extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws java.io.IOException {
        // a 4xx message is the parser's own words for the request; a 5xx one may be an exception's,
        // which a client has no business reading
        String reason = code >= 500 || message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        if (code == HttpStatus.BAD_REQUEST_400) {
            reason = climbsAboveTheRoot(cause) ? DotSegments.REFUSED : namesWhat(reason);
        }
        byte[] body = ApiHandler.JSON.writeValueAsBytes(Map.of("error", reason));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * A path whose {@code ..} segments climb above the root is the one path Jetty's URI parser
     * cannot resolve: it says only "Bad URI" under a bare "Bad Request", and the request handed
     * here no longer has the path (it is {@code /badMessage}). Taken for a bad %-escape, it was
     * answered with a message about one (reviewer R16 F4). The dot segments it resolves itself
     * reach {@link Routes}, which refuses them with the same words.
     */
    private static boolean climbsAboveTheRoot(Throwable cause) {
        return cause != null && cause.getCause() instanceof IllegalArgumentException e && "Bad URI".equals(e.getMessage());
    }

    /**
     * The parser's bare "Bad Request" (a bad or forbidden %-escape in the path) and its "Ambiguous
     * URI …" said nothing a user could act on (the review): each now says what in the request it was.
     */
    static String namesWhat(String reason) {
        if (reason.startsWith("Ambiguous URI")) {
            return "request path: " + reason + " (an encoded / or . or an empty segment is refused)";
        }
        if (reason.equals(HttpStatus.getMessage(HttpStatus.BAD_REQUEST_400))) {
            return "request: refused by the HTTP parser (the usual cause: a bad %-escape such as %zz, or %00, in the path)";
        }
        return reason;
    }
}
