package io.smartrunner.http;

/**
 * A request path with a dot segment ({@code /./} or {@code /../}) is refused with 400 before any
 * lookup (http-api.md, dashboard.md). Jetty resolved some itself, so {@code /api/./summary}
 * reached no route and was a 404, and refused those climbing above the root with a bare "Bad
 * Request" that {@link JsonErrors} took for a bad %-escape: both are now this one refusal. An
 * encoded dot ({@code %2e}) Jetty refuses as ambiguous before this is asked.
 */
final class DotSegments {
    static final String REFUSED = "request path: a dot segment (. or ..) is refused; name the path without it";

    private DotSegments() {
    }

    /** Whether the raw (still encoded) path has a {@code .} or {@code ..} segment; a null path has none. */
    static boolean in(String rawPath) {
        if (rawPath == null) {
            return false;
        }
        for (String segment : rawPath.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }
}
