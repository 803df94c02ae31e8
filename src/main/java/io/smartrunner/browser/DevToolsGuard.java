package io.smartrunner.browser;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Closes the browsers' DevTools ports to every other user of the machine when the runner runs as
 * root. Chromium's DevTools endpoint has no authentication, and as root (with
 * {@code --no-sandbox}) a browser reads every file through {@code file://} pages: any local user
 * who connected to its port read {@code /etc/shadow} and the API token (reviewer R6, high). An
 * nftables table of the runner's own ({@code inet smart_runner_<runner id>}) rejects, on the
 * loopback interface, every TCP connection to a port of its set whose socket is not root's; the
 * runner and its sessions (root too) connect as before. Each browser's port is chosen by the
 * runner, below {@code ip_unprivileged_port_start} so that no other user can bind it first, and
 * put in the set before Chromium starts, so there is no moment it is open to others; it is taken
 * out when the browser is gone. The rule matches each packet, not only a connection's first, so
 * nothing another user opened before stays usable. A table something else removed (a firewall
 * reload) is made again within {@link #WATCH_MS} and said ({@link #watch}).
 *
 * <p>Without root, without the {@code nft} program, or where the kernel refuses (a container
 * without {@code CAP_NET_ADMIN}) there is no guard, and the start says so ({@link DevToolsExposure}).
 * The table outlives a runner killed with its browsers kept (they stay guarded); a clean stop, which
 * closes every browser, deletes it. {@code nft} runs without a shell, its arguments numbers and
 * the runner id. Thread-safe.
 */
public final class DevToolsGuard {
    private static final long WATCH_MS = 5_000;

    private final Nft nft;
    private final String table;
    private final Path profilesDir;
    private final String unavailable;
    /** How many browsers (launching or running) hold each port in the set. */
    private final Map<Integer, Integer> holders = new HashMap<>();
    /** Ports of browsers a previous runner left, put in the set at start ({@link #keepLeftBrowsers}). */
    private final Set<Integer> kept = new HashSet<>();
    private Thread watcher;
    private boolean removed;
    /** Where the guard's own lines go ({@link #watch}); lines from before it are held until then. */
    private Consumer<String> say;
    private final List<String> unsaid = new ArrayList<>();
    /** Made at the first browser's exit ({@link #releaseSoon}). */
    private ExecutorService releases;

    private DevToolsGuard(Nft nft, String table, Path profilesDir, String unavailable) {
        this.nft = nft;
        this.table = table;
        this.profilesDir = profilesDir;
        this.unavailable = unavailable;
    }

    /**
     * A guard for the runner {@code runnerId}, its table made (or found) now; or none, saying why.
     * Also deletes the tables of runners whose browsers' directory is gone ({@link LeftGuardTables}).
     *
     * @param profilesDir the browsers' profiles of this runner's data dir: named in its table's comment
     */
    public static DevToolsGuard forRunner(String runnerId, Path profilesDir) {
        if (!RunningAsRoot.yes()) {
            return none("the runner does not run as root");
        }
        Nft nft = Nft.find().orElse(null);
        if (nft == null) {
            return none("no nft program (Debian: apt-get install nftables)");
        }
        String table = LeftGuardTables.PREFIX + runnerId.replaceAll("[^A-Za-z0-9]", "_");
        try {
            Files.createDirectories(profilesDir); // named in the comment: a missing one marks a table left for good
        } catch (IOException e) {
            profilesDir = null; // no comment: never swept
        }
        String failed = nft.run(rules(table, profilesDir), "-f", "-");
        if (failed != null) {
            return none("nft refused: " + failed);
        }
        DevToolsGuard guard = new DevToolsGuard(nft, table, profilesDir, null);
        LeftGuardTables.sweep(nft, table).forEach(guard::say);
        return guard;
    }

    /** Idempotent: a runner restarted after a kill finds its table, its kept browsers' ports still in the set. */
    private static String rules(String table, Path profilesDir) {
        return "add table inet " + table + LeftGuardTables.comment(profilesDir) + "\n"
                + "add set inet " + table + " devtools { type inet_service; }\n"
                + "add chain inet " + table + " out { type filter hook output priority 0; policy accept; }\n"
                + "flush chain inet " + table + " out\n"
                + "add rule inet " + table + " out oif lo tcp dport @devtools meta skuid != 0 reject with tcp reset\n";
    }

    /**
     * At start: the ports of the browsers a previous runner of this data dir left running (their
     * {@code DevToolsActivePort}, a listener of this user's on it) go into the set now, not when
     * each is adopted: a table lost meanwhile (a firewall reload, a reboot of nftables) left them
     * open until then (reviewer R8: 21-24 s, longer for a paused profile).
     */
    public void keepLeftBrowsers(Path profilesDir) {
        if (!active() || !Files.isDirectory(profilesDir)) {
            return;
        }
        try (java.util.stream.Stream<Path> dirs = Files.list(profilesDir)) {
            for (Path dir : dirs.toList()) {
                DevToolsPortFile.read(dir.resolve("DevToolsActivePort")).map(e -> portOf(e.httpBase()))
                        .filter(port -> port > 0 && DevToolsPortFile.listenedByOwnUser(port))
                        .ifPresent(this::keep);
            }
        } catch (IOException e) {
            // no browsers dir to read: each is guarded when adopted
        }
    }

    private synchronized void keep(int port) {
        String failed = nft.run(null, "add", "element", "inet", table, "devtools", "{ " + port + " }");
        if (failed == null) {
            kept.add(port);
        } else {
            say("could not close DevTools port " + port + " of a browser left running to other users (nft: " + failed
                    + "): it is open to every local user until its profile's next session adopts the browser");
        }
    }

    /** Nothing the guard fails to do is silent (reviewer R8): said on the runner's standard error. */
    private synchronized void say(String line) {
        if (say == null) {
            unsaid.add(line);
        } else {
            say.accept(line);
        }
    }

    /**
     * Looks every {@link #WATCH_MS} whether the table is still there. Something else may remove it
     * (Debian's {@code /etc/nftables.conf} begins with {@code flush ruleset}, so a reload of the
     * firewall does): it is made again with every port it held, and said; until then the browsers
     * were open to every local user (reviewer R8: nothing noticed it).
     */
    public void watch(Consumer<String> say) {
        synchronized (this) {
            this.say = say;
            unsaid.forEach(say);
            unsaid.clear();
        }
        if (!active()) {
            return;
        }
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    TimeUnit.MILLISECONDS.sleep(WATCH_MS);
                } catch (InterruptedException e) {
                    return;
                }
                String again = restoreIfGone();
                if (again != null) {
                    say.accept(again);
                }
            }
        }, "sr-devtools-guard");
        t.setDaemon(true);
        t.start();
        watcher = t;
    }

    /** The line to say when the table was gone (made again, or not), else null. */
    synchronized String restoreIfGone() {
        if (removed || tableThere()) {
            return null;
        }
        Set<Integer> ports = new java.util.TreeSet<>(holders.keySet());
        ports.addAll(kept);
        // the table and its ports in one transaction
        String failed = nft.run(rules(table, profilesDir) + (ports.isEmpty() ? "" : "add element inet " + table + " devtools { "
                + String.join(", ", ports.stream().map(String::valueOf).toList()) + " }\n"), "-f", "-");
        String gone = "nftables table inet " + table + " was removed by something else (a firewall reload?): the"
                + " browsers' DevTools ports (" + ports.size() + ") were open to every local user for up to "
                + WATCH_MS / 1000 + " s; ";
        return failed == null ? gone + "made again" : gone + "cannot make it again, they stay open: " + failed;
    }

    static DevToolsGuard none(String why) {
        return new DevToolsGuard(null, null, null, why);
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
     * <p>Never one another browser of this runner holds or is starting on: a port is free until its
     * Chromium binds it, and two browsers started together were given the same one (reviewer R11:
     * the second Chromium fell back to {@code [::1]}, and both profiles drove the first one's
     * browser). Picked and put in the set under the guard's lock, so two starts cannot both pick it.
     *
     * @throws IllegalStateException the port could not be put in the set (the browser must not start)
     */
    synchronized int reservePort() {
        if (!active()) {
            return 0;
        }
        Set<Integer> taken = new HashSet<>(holders.keySet());
        taken.addAll(kept);
        int port = privilegedPort(taken);
        for (int attempt = 0; port == 0 && attempt < 16; attempt++) {
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = taken.contains(probe.getLocalPort()) ? 0 : probe.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException("no free port for DevTools: " + e.getMessage(), e);
            }
        }
        if (port == 0) {
            throw new IllegalStateException("no free port for DevTools that no other browser of this runner holds");
        }
        guard(port, true);
        return port;
    }

    /**
     * A free port below {@code ip_unprivileged_port_start} (1024), which no other user may bind:
     * an ephemeral port was free when chosen, and another user who watched for it bound it before
     * Chromium did (reviewer R8: the runner and its sessions then drove that user's browser; the
     * listener check of {@link DevToolsPortFile#requireOwnListener} turned that into a start that
     * fails, again and again). From the 424 ports below that start, none named in
     * {@code /etc/services}; 0 when none is free or every port may be bound by anyone (a container
     * that sets the start to 0).
     */
    private static int privilegedPort(Set<Integer> taken) {
        int start;
        try {
            // one read: a read of an int sysctl at an offset past 0 gives nothing, and Files.readString
            // read "1" of "1024" (a one-byte read first, then an empty one)
            start = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).get(0).strip());
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        int low = Math.max(1, start - 424);
        if (start - low < 16) {
            return 0;
        }
        Set<Integer> named = NamedPorts.SET;
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 64; attempt++) {
            int port = random.nextInt(low, start);
            if (named.contains(port) || taken.contains(port)) {
                continue;
            }
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException inUse) {
                // in use: another
            }
        }
        return 0;
    }

    /** Ports {@code /etc/services} names, read once, at the first browser's start. */
    private static final class NamedPorts {
        static final Set<Integer> SET = namedPorts();
    }

    /** Ports {@code /etc/services} names: a service that starts later should find its port free. */
    private static Set<Integer> namedPorts() {
        Set<Integer> ports = new HashSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/services"))) {
                String[] f = line.split("\\s+");
                if (f.length > 1 && f[1].matches("\\d+/(tcp|udp)")) {
                    ports.add(Integer.parseInt(f[1].substring(0, f[1].indexOf('/'))));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no list: any free port
        }
        return ports;
    }

    /**
     * Puts {@code port} in the set (a browser a previous runner left, adopted). Counted: a port
     * a browser that just exited had may come back for the next one before the exit's
     * {@link #release} runs, which must not open it.
     */
    synchronized void guard(int port) {
        guard(port, false);
    }

    /** @param starting for a browser about to start ({@link #reservePort}), not one adopted running */
    private void guard(int port, boolean starting) {
        if (!active()) {
            return;
        }
        // the runner's stop cut the start short (before nft, or during it: an nft that had exited
        // already answers waitFor without a look at the interrupt): no browser is started, nothing is
        // open (its old wording read as a port left open to other users: reviewer R24)
        String cutShort = "its start was cut short by the runner's stop before DevTools port " + port
                + " was closed to other users: no browser was started";
        if (starting && Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException(cutShort);
        }
        String failed = nft.run(null, "add", "element", "inet", table, "devtools", "{ " + port + " }");
        if (failed != null && starting && Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException(cutShort);
        }
        if (failed != null) {
            throw new IllegalStateException("could not close DevTools port " + port + " to other users: " + failed);
        }
        holders.merge(port, 1, Integer::sum);
    }

    /**
     * {@link #release}, on a thread of the guard's: a browser's exit is handed over on the reaper's
     * thread, which nft (a process, up to {@link Nft#TIMEOUT_MS} when it hangs) would hold from
     * noticing every other session's exit.
     */
    void releaseSoon(int port) {
        if (!active() || port <= 0) {
            return;
        }
        synchronized (this) {
            if (removed) {
                return; // the stop closed every browser and deleted the table
            }
            if (releases == null) {
                releases = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "sr-devtools-release");
                    t.setDaemon(true);
                    return t;
                });
            }
            releases.execute(() -> release(port));
        }
    }

    /** Takes {@code port} out of the set once the last browser that had it is gone (0: nothing). */
    synchronized void release(int port) {
        if (!active() || removed || port <= 0 || holders.merge(port, -1, Integer::sum) > 0) {
            return;
        }
        holders.remove(port);
        String failed = nft.run(null, "delete", "element", "inet", table, "devtools", "{ " + port + " }");
        if (failed != null && tableThere()) { // a table removed by something else is made again without it
            say("could not take DevTools port " + port + " out of nftables table inet " + table + " (nft: " + failed
                    + "): it stays closed to other users until the runner stops");
        }
    }

    private boolean tableThere() {
        return nft.run(null, "list", "table", "inet", table) == null;
    }

    /** Deletes the table: every browser of this runner is closed. */
    synchronized void remove() {
        removed = true;
        if (watcher != null) {
            watcher.interrupt();
        }
        holders.clear();
        kept.clear();
        if (releases != null) {
            releases.shutdown(); // a release still queued finds the guard removed and does nothing
        }
        if (active()) {
            String failed = nft.run(null, "delete", "table", "inet", table);
            if (failed != null && tableThere()) {
                say("could not delete nftables table inet " + table + " (nft: " + failed + "): it stays, refusing other"
                        + " users' connections to its ports; remove it with: nft delete table inet " + table);
            }
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
}
