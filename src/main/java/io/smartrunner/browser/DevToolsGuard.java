package io.smartrunner.browser;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Closes the browsers' DevTools ports to every other user of the machine when the runner runs as
 * root. Chromium's DevTools endpoint has no authentication, and as root (with
 * {@code --no-sandbox}) a browser reads every file through {@code file://} pages: any local user
 * who connected to its port read {@code /etc/shadow} and the API token (reviewer R6, high). An
 * nftables table of the runner's own ({@code inet smart_runner_<runner id>}) rejects, on the
 * loopback interface, every TCP connection to a port of its set whose socket is not root's; the
 * runner and its sessions (root too) connect as before. Each browser's port is chosen by the
 * runner and put in the set before Chromium starts, so there is no moment it is open to others,
 * and taken out when the browser is gone. The rule matches each packet, not only a connection's
 * first, so nothing another user opened before stays usable.
 *
 * <p>Without root, without the {@code nft} program, or where the kernel refuses (a container
 * without {@code CAP_NET_ADMIN}) there is no guard, and the start says so ({@link DevToolsExposure}).
 * The table outlives a runner killed with its browsers kept (they stay guarded); a clean stop, which
 * closes every browser, deletes it. {@code nft} runs without a shell, its arguments numbers and
 * the runner id. Thread-safe.
 */
public final class DevToolsGuard {
    private static final List<Path> NFT = List.of(Path.of("/usr/sbin/nft"), Path.of("/sbin/nft"));
    private static final long NFT_TIMEOUT_MS = 5_000;

    private final Path nft;
    private final String table;
    private final String unavailable;
    /** How many browsers (launching or running) hold each port in the set. */
    private final java.util.Map<Integer, Integer> holders = new java.util.HashMap<>();

    private DevToolsGuard(Path nft, String table, String unavailable) {
        this.nft = nft;
        this.table = table;
        this.unavailable = unavailable;
    }

    /** A guard for the runner {@code runnerId}, its table made (or found) now; or none, saying why. */
    public static DevToolsGuard forRunner(String runnerId) {
        if (!RunningAsRoot.yes()) {
            return none("the runner does not run as root");
        }
        Path nft = NFT.stream().filter(Files::isExecutable).findFirst().orElse(null);
        if (nft == null) {
            return none("no nft program (Debian: apt-get install nftables)");
        }
        String table = "smart_runner_" + runnerId.replaceAll("[^A-Za-z0-9]", "_");
        // idempotent: a runner restarted after a kill finds its table, its kept browsers' ports still in the set
        String rules = "add table inet " + table + "\n"
                + "add set inet " + table + " devtools { type inet_service; }\n"
                + "add chain inet " + table + " out { type filter hook output priority 0; policy accept; }\n"
                + "flush chain inet " + table + " out\n"
                + "add rule inet " + table + " out oif lo tcp dport @devtools meta skuid != 0 reject with tcp reset\n";
        String failed = run(nft, rules, "-f", "-");
        return failed == null ? new DevToolsGuard(nft, table, null) : none("nft refused: " + failed);
    }

    static DevToolsGuard none(String why) {
        return new DevToolsGuard(null, null, why);
    }

    /** Whether browsers' ports are closed to other users. */
    public boolean active() {
        return nft != null;
    }

    /** The table's name, or why there is no guard, for the start's line. */
    public String describe() {
        return active() ? "nftables table inet " + table : unavailable;
    }

    /**
     * A free port on 127.0.0.1, already in the set, for the next browser's DevTools; 0 (Chromium
     * picks) without a guard.
     *
     * @throws IllegalStateException the port could not be put in the set (the browser must not start)
     */
    int reservePort() {
        if (!active()) {
            return 0;
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port for DevTools: " + e.getMessage(), e);
        }
        guard(port);
        return port;
    }

    /**
     * Puts {@code port} in the set (a browser a previous runner left, adopted). Counted: a port
     * a browser that just exited had may come back for the next one before the exit's
     * {@link #release} runs, which must not open it.
     */
    synchronized void guard(int port) {
        if (!active()) {
            return;
        }
        String failed = run(nft, null, "add", "element", "inet", table, "devtools", "{ " + port + " }");
        if (failed != null) {
            throw new IllegalStateException("could not close DevTools port " + port + " to other users: " + failed);
        }
        holders.merge(port, 1, Integer::sum);
    }

    /** Takes {@code port} out of the set once the last browser that had it is gone (0: nothing). */
    synchronized void release(int port) {
        if (!active() || port <= 0 || holders.merge(port, -1, Integer::sum) > 0) {
            return;
        }
        holders.remove(port);
        run(nft, null, "delete", "element", "inet", table, "devtools", "{ " + port + " }");
    }

    /** Deletes the table: every browser of this runner is closed. */
    synchronized void remove() {
        holders.clear();
        if (active()) {
            run(nft, null, "delete", "table", "inet", table);
        }
    }

    /** The port of a DevTools base such as {@code http://127.0.0.1:40123}, or 0. */
    static int portOf(String httpBase) {
        try {
            return java.net.URI.create(httpBase).getPort();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    /** Runs nft; null when it exited 0, else its first line of output (or why it did not run). */
    private static String run(Path nft, String stdin, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(nft.toString());
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(NFT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return "no answer within " + NFT_TIMEOUT_MS + " ms";
            }
            if (p.exitValue() == 0) {
                return null;
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "exit " + p.exitValue() : text.lines().findFirst().orElse("");
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
