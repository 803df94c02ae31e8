package io.smartrunner.http;

import io.smartrunner.config.HttpSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The Host header values the API, dashboard and metrics accept (a DNS-rebinding guard): the bind
 * address, {@code localhost}, {@code 127.0.0.1}, {@code [::1]}, the machine's host name when not
 * bound to loopback, and {@code http.allowedHosts}; each with the listening port (a name given
 * with its own port is taken as it is).
 */
final class HostAllowlist {
    private static final Path HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private HostAllowlist() {
    }

    static Set<String> of(HttpSettings settings, InetAddress bound, int port) {
        Set<String> names = new LinkedHashSet<>();
        names.add(settings.bind().contains(":") && !settings.bind().startsWith("[")
                ? "[" + settings.bind() + "]" : settings.bind());
        names.add("localhost");
        names.add("127.0.0.1");
        names.add("[::1]");
        if (!bound.isLoopbackAddress()) {
            String host = machineName();
            if (host != null) {
                names.add(host);
            }
        }
        names.addAll(settings.allowedHosts());
        Set<String> hosts = new LinkedHashSet<>();
        for (String name : names) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            hosts.add(hasPort(lower) ? lower : lower + ":" + port);
        }
        return Set.copyOf(hosts);
    }

    /** Whether the Host header value is allowed (host names compare without case). */
    static boolean allows(Set<String> hosts, String header) {
        return header != null && hosts.contains(header.toLowerCase(java.util.Locale.ROOT));
    }

    private static boolean hasPort(String name) {
        int colon = name.lastIndexOf(':');
        return colon > 0 && colon > name.lastIndexOf(']') && name.substring(colon + 1).matches("\\d+")
                && (name.startsWith("[") || name.indexOf(':') == colon);
    }

    private static String machineName() {
        try {
            String name = Files.readString(HOSTNAME).strip();
            return name.isEmpty() ? null : name;
        } catch (IOException e) {
            return null;
        }
    }
}
