package io.smartrunner.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The accepted shape of a PostgreSQL JDBC URL: {@code jdbc:postgresql://host[:port]/database[?params]}
 * with one host. The driver takes more (several hosts, no host at all); one explicit host keeps
 * every message able to say which server could not be reached.
 * <p>A URL holds no secret: messages show it, and only {@code store.password} is treated as one
 * (redacted from events and metrics, kept out of sessions). So a password in it is refused at
 * load, and whatever shows a URL masks one anyway ({@link #masked}).
 */
final class PostgresUrl {
    static final String EXPECTED = "a PostgreSQL JDBC URL \"jdbc:postgresql://host:5432/database\"";
    static final int DEFAULT_PORT = 5432;
    private static final Pattern SHAPE = Pattern.compile(
            "jdbc:postgresql://(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+)(?::(\\d{1,5}))?/([^/?#\\s]+)(\\?[^\\s#]*)?");
    /** The driver's parameters that carry a secret, and their values (to the next parameter). */
    private static final Pattern SECRET_VALUE = Pattern.compile("(?i)([?&;](?:ssl)?password=)[^&;#]*");
    /**
     * A password given as other drivers take it, after a {@code ;}: PostgreSQL's driver takes it as
     * part of the database's name and its "does not exist" repeated it (reviewer R23).
     */
    private static final Pattern SEMICOLON_SECRET = Pattern.compile("(?i);\\s*(?:ssl)?password\\s*=");
    private static final String NOT_SHOWN = "a URL is shown in messages, a password never";

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

    /**
     * @return null when {@code url} holds no password, otherwise why it is refused and where the
     *         password goes instead, in words that never repeat it
     */
    static String secretProblem(String url) {
        if (userinfo(url).contains(":")) {
            return "a password in the URL (user:password@) is refused: " + NOT_SHOWN
                    + "; expected the URL without it and the password in store.password, e.g. \"${env:SR_PG_PASSWORD}\"";
        }
        if (SEMICOLON_SECRET.matcher(url).find()) {
            return "a password in the URL (a \";password=\" part, which PostgreSQL's driver would take as part of"
                    + " the database's name) is refused: " + NOT_SHOWN + "; expected the URL without it and the"
                    + " password in store.password, e.g. \"${env:SR_PG_PASSWORD}\"";
        }
        int query = url.indexOf('?');
        String params = query < 0 ? "" : url.substring(query + 1);
        for (String param : params.split("[&#]")) {
            String name = param.contains("=") ? param.substring(0, param.indexOf('=')) : param;
            switch (name.toLowerCase(Locale.ROOT)) {
                case "password" -> {
                    return "a password in the URL (its \"" + name + "\" parameter) is refused: " + NOT_SHOWN
                            + "; expected the URL without it and the password in store.password, e.g."
                            + " \"${env:SR_PG_PASSWORD}\"";
                }
                case "sslpassword" -> {
                    return "the client key's password in the URL (its \"" + name + "\" parameter) is refused: "
                            + NOT_SHOWN + "; expected the URL without it and a client key (sslkey) that needs no"
                            + " password, readable by the runner's user only";
                }
                default -> {
                    // not a secret
                }
            }
        }
        return null;
    }

    /**
     * {@code url} as a message may show it: what comes between {@code //} (or its start) and its
     * last {@code @} (a {@code user:password@}, even one not encoded as a URL must be) and the values
     * of its password parameters as {@code ***}. May mask more than the secret, never less.
     */
    static String masked(String url) {
        String text = String.valueOf(url);
        int authority = text.indexOf("//");
        int from = authority < 0 ? 0 : authority + 2;
        int at = text.lastIndexOf('@');
        if (at >= from) {
            text = text.substring(0, from) + "***" + text.substring(at);
        }
        return SECRET_VALUE.matcher(text).replaceAll("$1***");
    }

    /** The {@code user[:password]} before a host (RFC 3986: its authority up to the last {@code @}); "" when none. */
    private static String userinfo(String url) {
        int start = url.indexOf("//");
        if (start < 0) {
            return "";
        }
        start += 2;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        int at = url.lastIndexOf('@', end - 1);
        return at < start ? "" : url.substring(start, at);
    }

    static String hostPort(String url) {
        Matcher m = SHAPE.matcher(String.valueOf(url));
        if (!m.matches()) {
            return masked(url);
        }
        return m.group(1) + ":" + (m.group(2) == null ? DEFAULT_PORT : Integer.parseInt(m.group(2)));
    }

    /** The database a URL of the accepted shape names (never its params: a password may be one). */
    static String database(String url) {
        Matcher m = SHAPE.matcher(String.valueOf(url));
        return m.matches() ? m.group(3) : masked(url);
    }
}
