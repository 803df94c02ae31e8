package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guard's table and set with the real nft (.ci/run runs the suite as root and bin/setup
 * installs nftables): a port is in the set from its reservation until the last browser that had
 * it is gone, and the table goes with the runner's clean stop.
 */
class DevToolsGuardTest {
    private final String runnerId = UUID.randomUUID().toString();
    private DevToolsGuard guard;
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path data;
    private java.nio.file.Path browsers;

    @org.junit.jupiter.api.BeforeEach
    void browsersDir() {
        browsers = data.resolve("browsers");
    }

    @AfterEach
    void removeTheTable() {
        if (guard != null) {
            guard.remove();
        }
    }

    /** Reviewer R24: a start the stop cut short read "could not close DevTools port 667 to other users: interrupted". */
    @Test
    void aStartTheRunnersStopCutsShortSaysSoNotThatAPortWasLeftOpen() {
        guard = DevToolsGuard.forRunner(runnerId, browsers);
        assertTrue(guard.active(), guard.describe());
        Thread.currentThread().interrupt(); // the runner's stop interrupts the browser's start
        try {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> guard.reservePort());
            assertTrue(e.getMessage().matches("its start was cut short by the runner's stop before DevTools port \\d+"
                    + " was closed to other users: no browser was started"), e.getMessage());
            Thread.currentThread().interrupt();
            // a browser adopted running is no start: nft is asked (an nft that exits before its wait
            // succeeds), and if the interrupt fails it, the old words, which are true there
            try {
                guard.guard(9);
            } catch (IllegalStateException adopted) {
                assertEquals("could not close DevTools port 9 to other users: interrupted", adopted.getMessage());
            }
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aPortStaysClosedUntilTheLastBrowserThatHadItIsGoneAndTheTableGoesWithTheStop() throws Exception {
        guard = DevToolsGuard.forRunner(runnerId, browsers);
        assertTrue(guard.active(), "root with nft: " + guard.describe());
        String table = "smart_runner_" + runnerId.replace('-', '_');
        assertEquals("nftables table inet " + table, guard.describe());

        int port = guard.reservePort();
        assertNotEquals(0, port);
        int unprivileged = Integer.parseInt(java.nio.file.Files.readAllLines(
                java.nio.file.Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).get(0).strip());
        if (unprivileged > 16) { // where other users may bind any port there is no such range (a container's 0)
            assertTrue(port < unprivileged, port + ": a port no other user may bind first (reviewer R8)");
        }
        assertTrue(set(table).contains(Integer.toString(port)), set(table));
        // the next browser got the same port before the last one's exit was handled
        guard.guard(port);
        guard.release(port);
        assertTrue(set(table).contains(Integer.toString(port)), "still held by the second browser: " + set(table));
        guard.release(port);
        assertFalse(set(table).contains(Integer.toString(port)), "the last holder gone: " + set(table));

        // a runner restarted on the same data dir (same id) takes the table over, its rule once
        int kept = guard.reservePort();
        DevToolsGuard again = DevToolsGuard.forRunner(runnerId, browsers);
        assertTrue(set(table).contains(Integer.toString(kept)), "a kept browser's port stays closed: " + set(table));
        assertEquals(1, nft("list", "chain", "inet", table, "out").lines().filter(l -> l.contains("reject")).count());

        again.remove();
        assertNotEquals(0, code("list", "table", "inet", table), "the table is gone");
    }

    @Test
    void theBrowsersAPreviousRunnerLeftAreClosedAtStartAndATableSomeoneRemovedIsMadeAgain(@org.junit.jupiter.api.io.TempDir
                                                                                        java.nio.file.Path profiles)
            throws Exception {
        try (java.net.ServerSocket left = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int live = left.getLocalPort();
            int dead;
            try (java.net.ServerSocket gone = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                dead = gone.getLocalPort();
            }
            portFile(profiles.resolve("p1"), live);
            portFile(profiles.resolve("p2"), dead);
            guard = DevToolsGuard.forRunner(runnerId, browsers);
            guard.keepLeftBrowsers(profiles);
            String table = "smart_runner_" + runnerId.replace('-', '_');
            assertTrue(set(table).contains(Integer.toString(live)), "a browser still listening: " + set(table));
            assertFalse(set(table).contains(Integer.toString(dead)), "nothing listens there any more: " + set(table));

            int held = guard.reservePort();
            assertEquals(null, guard.restoreIfGone(), "the table is there: nothing to say");
            nft("delete", "table", "inet", table); // what `systemctl reload nftables` does (flush ruleset)
            String said = guard.restoreIfGone();
            assertEquals("nftables table inet " + table + " was removed by something else (a firewall reload?): the"
                    + " browsers' DevTools ports (2) were open to every local user for up to 5 s; made again", said);
            assertTrue(set(table).contains(Integer.toString(live)) && set(table).contains(Integer.toString(held)),
                    set(table));
        }
    }

    @Test
    void whatTheGuardFailsToDoIsSaidAndATableAlreadyGoneAtTheStopIsNot(@org.junit.jupiter.api.io.TempDir
                                                                        java.nio.file.Path profiles) throws Exception {
        try (java.net.ServerSocket left = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int live = left.getLocalPort();
            portFile(profiles.resolve("p1"), live);
            guard = DevToolsGuard.forRunner(runnerId, browsers);
            String table = "smart_runner_" + runnerId.replace('-', '_');
            nft("delete", "table", "inet", table); // lost between its making and the start's look at kept browsers
            guard.keepLeftBrowsers(profiles);
            List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();

            guard.watch(said::add);

            assertEquals(1, said.size(), "held until the runner could say it: " + said);
            assertTrue(said.get(0).startsWith("could not close DevTools port " + live + " of a browser left running to"
                    + " other users (nft: "), said.get(0));
            assertTrue(said.get(0).endsWith("it is open to every local user until its profile's next session adopts"
                    + " the browser"), said.get(0));

            assertTrue(guard.restoreIfGone().endsWith("made again"));
            int port = guard.reservePort();
            nft("delete", "element", "inet", table, "devtools", "{ " + port + " }");
            guard.release(port);
            assertEquals(2, said.size(), said.toString());
            assertTrue(said.get(1).startsWith("could not take DevTools port " + port + " out of nftables table inet "
                    + table + " (nft: "), said.get(1));

            nft("delete", "table", "inet", table);
            guard.remove();
            guard = null;
            assertEquals(2, said.size(), "a table something else removed needs no line at the stop: " + said);
        }
    }

    @Test
    void aBrowsersExitReleasesItsPortOffTheCallersThreadAndNothingAfterTheStop() throws Exception {
        guard = DevToolsGuard.forRunner(runnerId, browsers);
        String table = "smart_runner_" + runnerId.replace('-', '_');
        int port = guard.reservePort();

        guard.releaseSoon(port); // the reaper's thread hands it over and goes on

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (set(table).contains(Integer.toString(port)) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertFalse(set(table).contains(Integer.toString(port)), set(table));
        int other = guard.reservePort();
        guard.remove();
        guard.releaseSoon(other); // an exit handled after the stop: no nft, no line
        guard = null;
        assertNotEquals(0, code("list", "table", "inet", table), "the table is gone and stays gone");
    }

    private static void portFile(java.nio.file.Path dir, int port) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve("DevToolsActivePort"), port + "\n/devtools/browser/x\n");
    }

    /** Reviewer R8: a runner killed and its data dir removed left its table for good. */
    @Test
    void aTableWhoseRunnersBrowsersDirectoryIsGoneIsDeletedAtAnotherRunnersStart() throws Exception {
        String goneId = UUID.randomUUID().toString();
        java.nio.file.Path goneDir = data.resolve("gone/browsers");
        DevToolsGuard.forRunner(goneId, goneDir); // killed: its table stays
        String gone = "smart_runner_" + goneId.replace('-', '_');
        String keptId = UUID.randomUUID().toString();
        DevToolsGuard kept = DevToolsGuard.forRunner(keptId, data.resolve("kept/browsers"));
        String old = "smart_runner_" + UUID.randomUUID().toString().replace('-', '_');
        nft("add", "table", "inet", old); // an older runner's, without the comment
        try {
            assertTrue(nft("list", "table", "inet", gone).contains("comment \"smart-runner browsers in " + goneDir + "\""),
                    nft("list", "table", "inet", gone));
            java.nio.file.Files.delete(goneDir);
            java.nio.file.Files.delete(goneDir.getParent()); // the data dir removed

            guard = DevToolsGuard.forRunner(runnerId, browsers);
            List<String> said = new java.util.ArrayList<>();
            guard.watch(said::add);

            assertNotEquals(0, code("list", "table", "inet", gone), "the table of the removed data dir is deleted");
            assertEquals(List.of("deleted nftables table inet " + gone + ": its runner's browsers' directory " + goneDir
                    + " is gone (a runner killed and its data dir removed)"), said);
            assertEquals(0, code("list", "table", "inet", "smart_runner_" + keptId.replace('-', '_')), "its data dir is there");
            assertEquals(0, code("list", "table", "inet", old), "no comment: left to its data dir's next runner");
        } finally {
            kept.remove();
            code("delete", "table", "inet", old);
            code("delete", "table", "inet", gone);
        }
    }

    /** Reviewer R11: browsers started together were given the same port (one in 424, picked at random). */
    @Test
    void aReservedPortIsNeverReservedAgainWhileHeld() throws Exception {
        guard = DevToolsGuard.forRunner(runnerId, browsers);
        java.util.Set<Integer> ports = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Thread> starts = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                for (int j = 0; j < 25; j++) {
                    assertTrue(ports.add(guard.reservePort()), "a port given twice while held");
                }
            });
            starts.add(t);
            t.start();
        }
        for (Thread t : starts) {
            t.join(120_000);
        }

        assertEquals(200, ports.size(), "200 reservations held at once, 200 ports");
    }

    @Test
    void withoutAGuardChromiumPicksThePortAndNothingIsRun() {
        DevToolsGuard none = DevToolsGuard.none("the runner does not run as root");
        assertFalse(none.active());
        assertEquals(0, none.reservePort());
        assertEquals("the runner does not run as root", none.describe());
        none.release(1234); // nothing to take out, no nft
        assertEquals(40123, DevToolsGuard.portOf("http://127.0.0.1:40123"));
    }

    private static String set(String table) throws Exception {
        return nft("list", "set", "inet", table, "devtools");
    }

    private static String nft(String... args) throws Exception {
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static int code(String... args) throws Exception {
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return p.exitValue();
    }

    private static List<String> command(String... args) {
        String nft = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/sbin/nft")) ? "/usr/sbin/nft" : "/sbin/nft";
        List<String> argv = new java.util.ArrayList<>(List.of(nft));
        argv.addAll(List.of(args));
        return argv;
    }
}
