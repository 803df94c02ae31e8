package io.smartrunner.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Checks {@code http.bind}: an IP literal (IPv4 dotted quad, IPv6 with or without brackets) or
 * {@code localhost}. Host names are refused on purpose: every command loads the config (status,
 * pause, ...) and must not wait on a DNS lookup that can hang for seconds; a name can resolve to
 * several addresses, or to another one by the time the runner binds; and whether the API is
 * reachable from other machines (so needs {@code http.token}) must be decided here, at load, not
 * after a start has written files. Literals are parsed without any lookup.
 */
final class BindAddress {
    static final String EXPECTED = "an IP address to listen on, such as \"127.0.0.1\", \"0.0.0.0\", \"::1\" or"
            + " \"localhost\" (host names are not resolved at load; use the address)";
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)"
            + "(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private BindAddress() {
    }

    /** @return the address as it is written in {@link HttpSettings#bind()}: without brackets */
    static String read(JsonCursor value, String fallback) {
        String text = value.text(fallback);
        if (text.isBlank()) {
            throw value.fail(value.shown() + " is empty", EXPECTED);
        }
        String bind = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (!bind.equalsIgnoreCase("localhost") && parse(bind) == null) {
            throw value.fail(value.shown() + " is not an IP address", EXPECTED);
        }
        return bind.equalsIgnoreCase("localhost") ? "localhost" : bind;
    }

    /** Whether only this machine can reach {@code bind} (a value {@link #read} accepted). */
    static boolean isLoopback(String bind) {
        InetAddress address = parse(bind);
        return bind.equals("localhost") || address != null && address.isLoopbackAddress();
    }

    /** The literal, or null when {@code text} is not one; never a DNS lookup. */
    private static InetAddress parse(String text) {
        boolean literal = IPV4.matcher(text).matches() || text.contains(":") && IPV6.matcher(text).matches();
        if (!literal) {
            return null;
        }
        try {
            return InetAddress.getByName(text); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return null; // e.g. "1::2::3"
        }
    }
}
