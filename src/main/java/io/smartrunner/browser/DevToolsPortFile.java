package io.smartrunner.browser;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.process.RunningProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Waits for Chromium to write {@code DevToolsActivePort} (port, then the browser target path).
 * Chromium offers no other signal that DevTools is listening, so this polls the file; at a port
 * the runner chose, Chromium writes none, and its endpoint is polled instead.
 */
final class DevToolsPortFile {
    private static final long POLL_MS = 50;

    private DevToolsPortFile() {
    }

    /** The endpoint the file names (DevTools on 127.0.0.1), or empty when it is missing or incomplete. */
    static Optional<BrowserEndpoint> read(Path file) {
        String[] lines;
        try {
            lines = Files.readString(file).split("\n");
        } catch (IOException e) {
            return Optional.empty(); // missing, or written as we read it
        }
        if (lines.length < 2 || !lines[0].trim().matches("\\d{1,5}") || !lines[1].startsWith("/devtools/")) {
            return Optional.empty();
        }
        String hostPort = "127.0.0.1:" + lines[0].trim();
        return Optional.of(new BrowserEndpoint("http://" + hostPort, "ws://" + hostPort + lines[1].trim()));
    }

    /**
     * For a port the runner chose ({@link DevToolsGuard}): Chromium writes no {@code DevToolsActivePort}
     * then, so its endpoint is asked at the port until it answers, and the file is written here in
     * Chromium's form, for the next runner to find a browser kept across runners ({@link LeftBrowser}).
     */
    static BrowserEndpoint awaitListening(int port, Path file, RunningProcess browser, Duration timeout) {
        String http = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            exitedAtStart(browser);
            requireOwnListener(port); // at once, not after the start timeout, when a squatter does not answer
            try {
                String ws = io.smartrunner.browser.cdp.DevToolsEndpoints.browserWebSocketUrl(http, Duration.ofSeconds(2));
                requireOwnListener(port); // and whoever answered
                requireBrowsersListener(port, browser.pid());
                String path = java.net.URI.create(ws).getPath();
                Files.writeString(file, port + "\n" + path + "\n");
                return new BrowserEndpoint(http, "ws://127.0.0.1:" + port + path);
            } catch (io.smartrunner.browser.cdp.CdpException | IllegalArgumentException notYet) {
                pause();
            } catch (IOException e) {
                throw new SmartRunnerException(file + ": cannot write it: " + e.getMessage(), e);
            }
        }
        throw new SmartRunnerException("Chromium did not open DevTools on port " + port + " within " + timeout.toMillis()
                + " ms (browser.startTimeoutMs)");
    }

    /**
     * The port was free when the runner chose it, and another local user could bind it before
     * Chromium does (on 127.0.0.1, on every address, or on IPv6's, which takes IPv4 too): the runner
     * (root) would then hand its sessions that user's fake DevTools. So every listener on the port
     * must be the runner's own user's (the uid column of {@code /proc/net/tcp} and {@code tcp6}),
     * which a user cannot forge.
     */
    static void requireOwnListener(int port) {
        String self = ownUid();
        for (String[] listener : listeners(port)) {
            if (self != null && !listener[1].equals(self)) {
                throw new SmartRunnerException("DevTools port " + port + " is held by uid " + listener[1] + " ("
                        + listener[0] + "), not by this runner's browser: another user bound it first");
            }
        }
    }

    /**
     * Every listener on the port is a socket of {@code browserPid}, this profile's Chromium, and one
     * is on IPv4's loopback, which the endpoint is asked at: a port another browser of the same user
     * bound first (another runner's, started the same instant) passed the owner check, this Chromium
     * fell back to {@code [::1]}, and the profile was handed the other browser (reviewer R11: its
     * sessions ran with another profile's cookies, and a check of it said "ok"). Skipped where the
     * browser's descriptors cannot be read.
     */
    static void requireBrowsersListener(int port, long browserPid) {
        Set<String> own = socketInodes(browserPid);
        if (own == null) {
            return;
        }
        boolean onLoopback = false;
        List<String[]> listeners = listeners(port);
        for (String[] listener : listeners) {
            if (!own.contains(listener[2])) {
                throw new SmartRunnerException("DevTools port " + port + " is also held by another process (" + listener[0]
                        + ", socket inode " + listener[2] + "), not by this profile's Chromium (pid " + browserPid
                        + "): another browser took the same port (another runner's?)");
            }
            onLoopback |= REACHES_V4_LOOPBACK.contains(listener[3]);
        }
        if (!onLoopback) {
            throw new SmartRunnerException("this profile's Chromium (pid " + browserPid + ") does not listen on 127.0.0.1:"
                    + port + " (bound elsewhere: " + listeners.size() + " listener(s))");
        }
    }

    /**
     * The inodes of the sockets of the process and its descendants (a {@code browser.binary} that is a
     * wrapper script which does not exec leaves Chromium a child of the pid launched); null when the
     * process's own descriptors cannot be read.
     */
    private static Set<String> socketInodes(long pid) {
        Set<String> inodes = socketInodesOf(pid);
        if (inodes != null) {
            ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(child -> {
                Set<String> more = socketInodesOf(child.pid());
                if (more != null) {
                    inodes.addAll(more);
                }
            }));
        }
        return inodes;
    }

    /** The inodes of one process's sockets ({@code /proc/PID/fd} links "socket:[N]"); null when unreadable. */
    private static Set<String> socketInodesOf(long pid) {
        Set<String> inodes = new java.util.HashSet<>();
        try (java.nio.file.DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        inodes.add(link.substring(8, link.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // gone between the listing and the read
                }
            }
        } catch (IOException | SecurityException e) {
            return null;
        }
        return inodes;
    }

    /** Whether a process of this runner's user listens on the port, and no other user's does. */
    static boolean listenedByOwnUser(int port) {
        String self = ownUid();
        List<String[]> listeners = listeners(port);
        return self != null && !listeners.isEmpty() && listeners.stream().allMatch(l -> l[1].equals(self));
    }

    private static String ownUid() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null; // nothing to judge by (no procfs): as before the guard
        }
    }

    /**
     * A listener's address (as {@code /proc/net/tcp*} write it) that 127.0.0.1 reaches: itself, as
     * IPv4 or IPv4-mapped IPv6 (a JVM's sockets), or every address (dual-stack on IPv6).
     */
    private static final Set<String> REACHES_V4_LOOPBACK = Set.of("0100007F", "00000000",
            "0000000000000000FFFF00000100007F", "00000000000000000000000000000000");

    /** Each socket listening on TCP {@code port}, any address: its table, its owner's uid, its inode and its address. */
    private static List<String[]> listeners(int port) {
        String suffix = String.format(":%04X", port);
        List<String[]> found = new java.util.ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                continue; // no IPv6
            }
            for (String line : lines) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].endsWith(suffix) && f[3].equals("0A")) { // 0A: listening
                    found.add(new String[] {table, f[7], f[9], f[1].substring(0, f[1].lastIndexOf(':'))});
                }
            }
        }
        return found;
    }

    private static void exitedAtStart(RunningProcess browser) {
        if (browser.onExit().isDone()) {
            // its end in words: the record's own text showed an internal clock reading (reviewer R24)
            throw new SmartRunnerException("Chromium exited at start (" + browser.onExit().join().describe() + "): "
                    + browser.stderrTail(400).strip().replace('\n', ' '));
        }
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SmartRunnerException("interrupted while waiting for Chromium to start");
        }
    }

    static BrowserEndpoint await(Path file, RunningProcess browser, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            exitedAtStart(browser);
            Optional<BrowserEndpoint> endpoint = read(file);
            if (endpoint.isPresent()) {
                return endpoint.get();
            }
            pause();
        }
        throw new SmartRunnerException("Chromium did not open DevTools within " + timeout.toMillis()
                + " ms (browser.startTimeoutMs)");
    }
}
