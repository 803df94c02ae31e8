package io.smartrunner.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The accepted shape of a PostgreSQL JDBC URL: {@code jdbc:postgresql://host[:port]/database[?params]}
 * with one host. The driver takes more (several hosts, no host at all); one explicit host keeps
 * every message able to say which server could not be reached.
 */
final class PostgresUrl {
    static final String EXPECTED = "a PostgreSQL JDBC URL \"jdbc:postgresql://host:5432/database\"";
    static final int DEFAULT_PORT = 5432;
    private static final Pattern SHAPE = Pattern.compile(
            "jdbc:postgresql://(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+)(?::(\\d{1,5}))?/([^/?#\\s]+)(\\?[^\\s#]*)?");

    private PostgresUrl() {
    }

    /** @return null when {@code url} has the accepted shape, otherwise what is wrong with it */
    static String problem(String url) {
        if (!url.startsWith("jdbc:postgresql:")) {
            return "does not start with \"jdbc:postgresql:\"";
        }
        Matcher m = SHAPE.matcher(url);
        if (!m.matches()) {
            return "is not of the form jdbc:postgresql://host[:port]/database";
        }
        if (m.group(2) != null) {
            int port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65_535) {
                return "has port " + port + " outside 1..65535";
            }
        }
        return null;
    }

    static String hostPort(String url) {
        Matcher m = SHAPE.matcher(String.valueOf(url));
        if (!m.matches()) {
            return String.valueOf(url);
        }
        return m.group(1) + ":" + (m.group(2) == null ? DEFAULT_PORT : Integer.parseInt(m.group(2)));
    }

    /** The database a URL of the accepted shape names (never its params: a password may be one). */
    static String database(String url) {
        Matcher m = SHAPE.matcher(String.valueOf(url));
        return m.matches() ? m.group(3) : String.valueOf(url);
    }
}
