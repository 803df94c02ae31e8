package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes in real cgroups (this machine runs the tests as root on cgroup v2): a shell's
 * daemon starts inside its launch's cgroup, through sr-cgroup-exec (which the build makes) and
 * through the /bin/sh fallback, a tree stop SIGTERMs it first and cgroup.kills what stays, a
 * launch that ends takes its cgroup with it, and a killed runner's leftover cgroups are cleared
 * by the next one.
 */
class CgroupContainmentTest {
    /**
     * The grace of a stop whose processes all end on SIGTERM and that must kill nothing (a killed
     * cgroup is never lent again): it bounds the stop, which ends as soon as they are gone. A short
     * one raced the scans of a loaded host: stops given 300 ms took up to 0.6 s there, and one whose
     * scan at the grace's end still found the daemon exiting sent the cgroup.kill.
     */
    private static final Duration NOTHING_KILLED_GRACE = Duration.ofSeconds(20);
    @TempDir
    Path dir;
    private final Children children = new Children();
    private final String runnerId = "test-" + UUID.randomUUID();
    private final List<Long> daemons = new ArrayList<>();
    /** What the containment reported (it reports on its timer thread). */
    private final List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Containment containment;

    @BeforeEach
    void start() {
        assumeTrue(CgroupContainment.unavailableReason(runnerId).isEmpty(), "cgroup v2 writable here");
        containment = Containment.start(runnerId, dir, Duration.ofMillis(300), said::add);
        assertTrue(containment.describe().startsWith("cgroup v2 ("), containment.describe());
        assertTrue(containment.describe().endsWith(", cloned into it by libsr-spawn.so) + subreaper"),
                "the build put libsr-spawn.so next to the classes (gcc missing? bin/setup --for-tests installs it): "
                        + containment.describe());
        assertEquals(CgroupJoin.PROGRAM, CgroupJoin.find().describe(), "and sr-cgroup-exec, for glibc's posix_spawn");
    }

    /**
     * glibc's posix_spawn, which cannot clone into a cgroup here: its children join theirs through
     * sr-cgroup-exec (or the shell). The runner's own spawn ({@code new PosixSpawnLauncher()}) clones.
     */
    private static ProcessLauncher glibcSpawn() {
        return new PosixSpawnLauncher(ChildEnvironment.ofThisProcess(), ProcessTimers.shared(), false);
    }

    /** The tests that follow run through the /bin/sh fallback (a runner without sr-cgroup-exec). */
    private void joinThroughTheShell() {
        CgroupLeftovers.clear(runnerId, containment);
        containment = Containment.start(runnerId, dir, Duration.ofMillis(300), CgroupJoin.shell(), said::add);
    }

    @AfterEach
    void stop() {
        daemons.forEach(pid -> ProcFs.stat(pid).ifPresent(p -> Signals.send(p, true)));
        children.killAll();
        if (containment != null) {
            CgroupLeftovers.clear(runnerId, containment);
        }
    }

    private static final class CgroupLeftovers {
        static void clear(String runnerId, Containment containment) {
            CgroupContainment.killLeftovers(runnerId, pid -> false);
            containment.close();
        }
    }

    @Test
    void aShellsDaemonStartsInsideItsLaunchsCgroupWithEveryLauncher() throws Exception {
        daemonsStartInsideTheLaunchsCgroup();
    }

    @Test
    void aShellsDaemonStartsInsideItsLaunchsCgroupThroughTheShellJoinToo() throws Exception {
        joinThroughTheShell();
        daemonsStartInsideTheLaunchsCgroup();
    }

    private void daemonsStartInsideTheLaunchsCgroup() throws Exception {
        for (ProcessLauncher launcher : List.of(new PosixSpawnLauncher(), glibcSpawn(), new OsProcessLauncher())) {
            String session = children.newSession();
            String marker = marker();
            RunningProcess p = launcher.launch(Children.spec(session, dir, "/bin/sh", "-c",
                    "(setsid env -i sleep " + marker + " &) ; exec sleep 1000"));
            long daemon = awaitDaemon(marker);
            SessionCgroup lease = placementOf(p).cgroup();
            Path cgroup = lease.dir();
            assertEquals(containment.cgroupRoot(), cgroup.getParent());
            assertEquals(List.of(), cgroupOf(daemon).equals(cgroup) ? List.of() : List.of(cgroupOf(daemon)),
                    "the daemon is in " + cgroup);
            // the grace only bounds the stop (it ends once SIGTERM has ended the daemon): with 300 ms
            // a loaded host's slow first scan SIGTERMed the daemon at ~0.3 s, the scan at the grace's
            // end still saw it alive, and its cgroup.kill kept the cgroup out of the pool for good
            p.stop(NOTHING_KILLED_GRACE).get();
            assertFalse(Children.alive(daemon), "stopping the launch stopped its daemon");
            Children.await("the launch's cgroup back in the pool, empty", () -> pool().idle() == 1);
            assertTrue(new SessionCgroup(cgroup).emptied());
        }
    }

    /**
     * The code reviewer's race: a dead predecessor's death watch removes the subtree in the
     * microseconds after it saw the data dir's lock free, as this runner had just made it: every
     * launch failed on the missing directory. It is made again by the launch that misses it.
     */
    @Test
    void aSubtreeRemovedUnderTheRunnerIsMadeAgainByTheNextSession() throws Exception {
        launchesContainedAfterTheSubtreeWasRemoved(children.newSession());
    }

    @Test
    void aSubtreeRemovedUnderTheRunnerIsMadeAgainByTheNextBrowser() throws Exception {
        launchesContainedAfterTheSubtreeWasRemoved(children.newSession(RunTag.browser("p1")));
    }

    private void launchesContainedAfterTheSubtreeWasRemoved(String session) throws Exception {
        Path root = containment.cgroupRoot();
        Files.delete(root); // empty: nothing launched yet
        RunningProcess p = new PosixSpawnLauncher().launch(Children.spec(session, dir, "/bin/sleep", "1000"));
        Path cgroup = placementOf(p).cgroup().dir();
        assertEquals(root, cgroup.getParent(), cgroup.toString());
        assertTrue(Files.readString(cgroup.resolve("cgroup.procs")).contains(Long.toString(p.pid())),
                "contained: " + cgroup);
    }

    @Test
    void aStopSigtermsTheCgroupsMembersFirstAndCgroupKillsThoseThatStay() throws Exception {
        String session = children.newSession();
        Path polite = dir.resolve("polite.sh");
        Files.writeString(polite, "trap 'echo term > \"$1\"; exit 0' TERM\n: > \"$1.ready\"\nwhile :; do sleep 0.05; done\n");
        Path stubborn = dir.resolve("stubborn.sh");
        Files.writeString(stubborn, "trap '' TERM\n: > \"$1.ready\"\nwhile :; do sleep 0.05; done\n");
        String markerA = marker();
        String markerB = marker();
        Path termFile = dir.resolve("polite-got-term");
        RunningProcess p = new PosixSpawnLauncher().launch(Children.spec(session, dir, "/bin/sh", "-c",
                "(setsid env -i sh " + polite + " " + termFile + " " + markerA + " &) ; "
                        + "(setsid env -i sh " + stubborn + " " + dir.resolve(markerB) + " &) ; exec sleep 1000"));
        long a = awaitDaemon("sh\0" + polite + "\0" + termFile + "\0" + markerA);
        long b = awaitDaemon("sh\0" + stubborn + "\0" + dir.resolve(markerB));
        // both have set their traps
        Children.await("the daemons are ready", () -> Files.exists(Path.of(termFile + ".ready"))
                && Files.exists(Path.of(dir.resolve(markerB) + ".ready")));
        // the stubborn daemon keeps the stop to its whole grace: long enough that the polite one, whose
        // SIGTERM comes with the first scan (hundreds of ms into the stop on a loaded host), has run its trap
        p.stop(Duration.ofSeconds(5)).get();
        assertEquals("term", Files.readString(termFile).trim(), "the polite daemon got SIGTERM before any kill");
        assertFalse(Children.alive(a));
        assertFalse(Children.alive(b), "the daemon that ignores SIGTERM is killed after the grace period");
        assertEquals(List.of(), said, "a stop's kills are the stop's, not leftovers of a session that ended");
    }

    @Test
    void aLaunchThatEndsOnItsOwnTakesWhatIsLeftInItsCgroupAndTheCgroupWithIt() throws Exception {
        leftoversOfALaunchThatEndsOnItsOwnAreKilledAndSaid(children.newSession(), "session ");
    }

    @Test
    void whatABrowserRunLeftIsSaidToBeABrowserRunsNotASessions() throws Exception {
        leftoversOfALaunchThatEndsOnItsOwnAreKilledAndSaid(children.newSession(RunTag.browser("p1")), "browser run ");
    }

    private void leftoversOfALaunchThatEndsOnItsOwnAreKilledAndSaid(String session, String kind) throws Exception {
        Path pidFile = dir.resolve("daemon.pid");
        // the launch waits until its daemon has written its pid and become its sleep, then ends while
        // the daemon sleeps on: the pid file alone is a moment too early, its mv may still be exiting
        // in the cgroup (and counted: "killed 2 leftover process(es)" on a loaded host)
        RunningProcess p = new PosixSpawnLauncher().launch(Children.spec(session, dir, "/bin/sh", "-c",
                "(setsid env -i sh -c 'echo $$ > \"$0\".tmp && mv \"$0\".tmp \"$0\" && exec sleep 1000' "
                        + pidFile + " &) ; until [ -s " + pidFile + " ] && [ \"$(cat /proc/$(cat " + pidFile
                        + ")/comm)\" = sleep ]; do sleep 0.01; done; exit 0"));
        Path cgroup = placementOf(p).cgroup().dir();
        assertEquals(0, p.onExit().get().exitCode());
        long daemon = children.track(Long.parseLong(Files.readString(pidFile).trim()));
        Children.await("the daemon killed with its launch's cgroup", () -> !Children.alive(daemon));
        // removed once empty, a session's too: a cgroup that was killed is not lent again (SessionCgroup#cloneable)
        Children.await("the cgroup removed", () -> !Files.exists(cgroup));
        assertEquals(0, pool().idle());
        assertEquals(List.of("killed 1 leftover process(es) of ended " + kind + session + " (its cgroup)"), said,
                "the runner's kill is said");
    }

    /** What lets the loop skip its /proc sweep for a session's leftovers ({@link RunningProcess#contained()}). */
    @Test
    void aLaunchThatRanInItsCgroupIsContainedWithEveryLauncher() throws Exception {
        launchesAreContained();
    }

    @Test
    void aLaunchThatRanInItsCgroupIsContainedThroughTheShellJoinToo() throws Exception {
        joinThroughTheShell();
        launchesAreContained();
    }

    private void launchesAreContained() throws Exception {
        // the JDK's launch first: it reaps its own children, so its launch is known contained only in
        // a cgroup made for it (SessionCgroup#everRan); the next ones reuse that cgroup
        for (ProcessLauncher launcher : List.of(new OsProcessLauncher(), glibcSpawn(), new PosixSpawnLauncher())) {
            RunningProcess p = launcher.launch(Children.spec(children.newSession(), dir, "/bin/true"));
            assertEquals(0, p.onExit().get().exitCode());
            assertTrue(p.contained(), launcher.getClass().getSimpleName());
        }
    }

    @Test
    void aLaunchThroughTheJoiningProgramThatExitsAtOnceIsSettledFromItsZombie() throws Exception {
        // its exit is settled from its zombie's /proc entry, not the cgroup's cpu.stat (a global kernel
        // flush per exit). Its reaper may find the zombie before the launch is done, so the launch
        // makes its placement known first (PosixSpawnLauncher): the race is not forced here, a
        // crash loop on two busy cores met it at almost every restart
        for (int i = 0; i < 30; i++) {
            OsRunningProcess p = (OsRunningProcess) glibcSpawn().launch(
                    Children.spec(children.newSession(), dir, "/bin/true"));
            assertEquals(0, p.onExit().get().exitCode());
            assertTrue(p.contained());
            assertTrue(p.placement().settledByItsZombie(), "launch " + i);
        }
    }

    private CgroupPool pool() {
        return containment.sessionCgroups();
    }

    @Test
    void sessionsOneAfterAnotherRunInOneReusedCgroupThatHoldsNothingOfTheLastOnes() throws Exception {
        List<Path> used = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RunningProcess p = new PosixSpawnLauncher().launch(Children.spec(children.newSession(), dir,
                    "/bin/sh", "-c", "cat /proc/self/cgroup"));
            used.add(placementOf(p).cgroup().dir());
            assertEquals(0, p.onExit().get().exitCode());
            assertTrue(p.contained());
            String own = Files.readAllLines(dir.resolve("p1.stdout.log")).stream()
                    .filter(l -> l.startsWith("0::")).reduce((a, b) -> b).orElse("");
            assertTrue(own.endsWith("/" + used.get(i).getFileName()), "ran in " + used.get(i) + ": " + own);
            Children.await("the cgroup given back", () -> pool().idle() == 1);
        }
        assertEquals(1, pool().created(), "one cgroup made, reused four times: " + used);
        assertEquals(1, used.stream().distinct().count());
    }

    @Test
    void aCgroupIsLentOnlyOnceEmptyAndOneWhoseLeftoversWereKilledNeverAgain() throws Exception {
        // the first session leaves a daemon behind: its cgroup stays out of the pool until the daemon is killed
        Path pidFile = dir.resolve("daemon.pid");
        RunningProcess first = new PosixSpawnLauncher().launch(Children.spec(children.newSession(), dir, "/bin/sh", "-c",
                "(setsid env -i sh -c 'echo $$ > \"$0\".tmp && mv \"$0\".tmp \"$0\" && exec sleep 1000' "
                        + pidFile + " &) ; while [ ! -s " + pidFile + " ]; do sleep 0.01; done; exit 0"));
        Path firstGroup = placementOf(first).cgroup().dir();
        RunningProcess second = new PosixSpawnLauncher().launch(Children.spec(children.newSession(), dir, "sleep", "1000"));
        Path secondGroup = placementOf(second).cgroup().dir();
        assertFalse(firstGroup.equals(secondGroup), "two running sessions, two cgroups");
        assertEquals(0, first.onExit().get().exitCode());
        long daemon = children.track(Long.parseLong(Files.readString(pidFile).trim()));
        Children.await("the daemon killed, its cgroup removed", () -> !Children.alive(daemon) && !Files.exists(firstGroup));
        assertEquals(0, pool().idle(), "a cgroup whose leftovers were killed is not lent again (SessionCgroup#cloneable)");
        RunningProcess third = new PosixSpawnLauncher().launch(Children.spec(children.newSession(), dir, "sleep", "1000"));
        Path thirdGroup = placementOf(third).cgroup().dir();
        assertFalse(thirdGroup.equals(firstGroup) || thirdGroup.equals(secondGroup), thirdGroup.toString());
        Children.await("the third session alone in its new cgroup", () -> new SessionCgroup(thirdGroup).pids().equals(List.of(third.pid())));
        assertFalse(third.onExit().isDone(), "it runs: " + third.onExit().getNow(null));
        second.stop(NOTHING_KILLED_GRACE).get();
        third.stop(NOTHING_KILLED_GRACE).get();
        Children.await("both back: SIGTERM ended them, nothing was killed", () -> pool().idle() == 2);
        assertEquals(3, pool().created());
    }

    @Test
    void aStopThatBeginsAfterItsSessionGaveItsCgroupBackKillsNothingOfTheNextSession() throws Exception {
        RunningProcess first = new PosixSpawnLauncher().launch(Children.spec(children.newSession(), dir, "/bin/true"));
        SessionCgroup firstLease = placementOf(first).cgroup();
        assertEquals(0, first.onExit().get().exitCode());
        Children.await("the cgroup given back", () -> pool().idle() == 1);
        RunningProcess next = new PosixSpawnLauncher().launch(Children.spec(children.newSession(), dir, "sleep", "1000"));
        assertEquals(firstLease.dir(), placementOf(next).cgroup().dir());
        Children.await("the next session in it", () -> new SessionCgroup(firstLease.dir()).pids().equals(List.of(next.pid())));

        // what still holds the ended session's lease (a late tree stop, a memory reading)
        assertFalse(firstLease.kill(), "a given-back lease kills nothing");
        assertEquals(List.of(), firstLease.pids(), "and lists nothing");
        first.stop(Duration.ofMillis(100)).get();
        assertTrue(Children.alive(next.pid()) && !next.onExit().isDone(), "the next session in that cgroup runs on");
        Children.await("the next session alone in it", () -> new SessionCgroup(firstLease.dir()).pids().equals(List.of(next.pid())));
        next.stop(Duration.ofMillis(300)).get();
    }

    @Test
    void aCgroupNothingRanInIsNotTakenForOneThatHeldTheLaunch() throws Exception {
        SessionCgroup fresh = SessionCgroup.create(containment.cgroupRoot().resolve("fresh-" + UUID.randomUUID()));
        try {
            assertFalse(fresh.everRan(), "a cgroup nothing joined");
            Process joined = new ProcessBuilder(Path.of("target", CgroupJoin.PROGRAM).toAbsolutePath().toString(),
                    fresh.dir().resolve("cgroup.procs").toString(), "/bin/true", "true").start();
            assertEquals(0, joined.waitFor());
            assertTrue(fresh.everRan(), "sr-cgroup-exec joined it, then ran true there");
        } finally {
            assertTrue(fresh.remove());
        }
        assertFalse(fresh.everRan(), "gone");
    }

    /** How a launch through sr-cgroup-exec is known to be in its cgroup at its exit (not cpu.stat: too costly). */
    @Test
    void aCgroupHoldsAProcessThatJoinedItUntilItIsReapedAndNoOther() throws Exception {
        SessionCgroup fresh = SessionCgroup.create(containment.cgroupRoot().resolve("holds-" + UUID.randomUUID()));
        // a parent that does not reap: its child joins the cgroup through sr-cgroup-exec and exits
        Process parent = new ProcessBuilder("python3", "-c", "import os, sys, time\n"
                + "pid = os.fork()\n"
                + "if pid == 0:\n    os.execv(sys.argv[1], [sys.argv[1], sys.argv[2], '/bin/true', 'true'])\n"
                + "print(pid, flush=True)\ntime.sleep(1000)\n",
                Path.of("target", CgroupJoin.PROGRAM).toAbsolutePath().toString(),
                fresh.dir().resolve("cgroup.procs").toString()).start();
        children.track(parent.pid());
        try {
            long child = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(
                    parent.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII)).readLine().trim());
            Children.await("the child exited, not reaped", () -> ProcFs.stat(child).map(ProcStat::dead).orElse(false));
            assertTrue(fresh.holds(child), "an exited process not yet reaped still shows its cgroup");
            assertFalse(fresh.holds(parent.pid()), "its parent never joined");
            assertFalse(fresh.holds(ProcessHandle.current().pid()));
            // what the reaper asks: the zombie's pidfd (PIDFD_GET_INFO on Linux 6.13+, else /proc as above)
            int childFd = (int) ReaperLibC.syscall(LibC.SYS_PIDFD_OPEN_X86_64, (int) child, 0);
            int parentFd = (int) ReaperLibC.syscall(LibC.SYS_PIDFD_OPEN_X86_64, (int) parent.pid(), 0);
            try {
                assertTrue(fresh.holds(child, childFd), "asked of its pidfd");
                assertFalse(fresh.holds(parent.pid(), parentFd));
                assertTrue(fresh.holds(child, -1), "no pidfd: read from /proc");
                assertEquals(pidfdInfoExpected() ? fresh.id() : -1, PidfdInfo.cgroupId(childFd),
                        "the kernel's answer, the cgroup directory's inode, on " + System.getProperty("os.version"));
            } finally {
                ReaperLibC.close(childFd);
                ReaperLibC.close(parentFd);
            }
        } finally {
            parent.destroyForcibly().waitFor();
            Children.await("the cgroup emptied", () -> !fresh.populated());
            assertTrue(fresh.remove());
        }
        assertFalse(fresh.holds(parent.pid()), "gone");
    }

    @Test
    void theCommandGetsTheEnvironmentAndArgumentsItWasGivenThroughTheJoiningProgram() throws Exception {
        commandsGetTheirEnvironmentAndArguments();
    }

    @Test
    void theCommandGetsTheEnvironmentAndArgumentsItWasGivenThroughTheJoiningShell() throws Exception {
        joinThroughTheShell();
        commandsGetTheirEnvironmentAndArguments();
    }

    private void commandsGetTheirEnvironmentAndArguments() throws Exception {
        for (ProcessLauncher launcher : List.of(new PosixSpawnLauncher(), glibcSpawn(), new OsProcessLauncher())) {
            List<String> env = run(launcher, "env");
            assertTrue(env.contains("PWD=/given/pwd"), "PWD as given, not the shell's: " + env);
            String own = run(launcher, "cat", "/proc/self/cgroup").stream().filter(l -> l.startsWith("0::"))
                    .findFirst().orElse("");
            assertTrue(own.contains("/" + containment.cgroupRoot().getFileName() + "/"),
                    "the command ran in a cgroup of the runner's: " + own);
            assertEquals(List.of("[a b]", "[$0]", "[\"$@\"]"), run(launcher, "printf", "[%s]\\n", "a b", "$0", "\"$@\""),
                    "arguments unchanged");
        }
    }

    private List<String> run(ProcessLauncher launcher, String... argv) throws Exception {
        String session = children.newSession();
        Path out = dir.resolve("p1.stdout.log");
        Files.deleteIfExists(out);
        RunningProcess p = launcher.launch(new LaunchSpec(session, List.of(argv),
                java.util.Map.of("SR_SESSION_ID", session, "PWD", "/given/pwd"), dir,
                OutputFiles.forProfile(dir, "p1", 0, 0)));
        assertEquals(0, p.onExit().get().exitCode(), launcher.getClass().getSimpleName() + " " + List.of(argv));
        return Files.readAllLines(out);
    }

    @Test
    void leftoverCgroupsOfAKilledRunnerAreKilledAndRemovedExceptKeptOnes() throws Exception {
        Path left = containment.cgroupRoot().resolve("left-by-crash");
        Path kept = containment.cgroupRoot().resolve("kept-browser");
        Path idle = containment.cgroupRoot().resolve(CgroupPool.PREFIX + "999");
        SessionCgroup.create(idle);
        SessionCgroup leftGroup = SessionCgroup.create(left);
        SessionCgroup keptGroup = SessionCgroup.create(kept);
        Process inLeft = new ProcessBuilder("sleep", marker()).start();
        Process inKept = new ProcessBuilder("sleep", marker()).start();
        children.track(inLeft.pid());
        children.track(inKept.pid());
        leftGroup.add(inLeft.pid());
        keptGroup.add(inKept.pid());

        assertEquals(1, ProcessTableLeftovers.stop(runnerId, inKept.pid()), "the idle one is not counted as killed");
        assertFalse(Files.exists(idle), "an idle pooled cgroup of the killed runner removed");
        assertTrue(inLeft.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "killed by cgroup.kill");
        assertFalse(Files.exists(left), "removed once empty");
        assertTrue(inKept.isAlive());
        assertTrue(Files.exists(kept));
        inKept.destroyForcibly().waitFor();
    }

    /** The reconciler's path: ProcFsProcessTable.stopEscaped with a keep rule on one pid. */
    private static final class ProcessTableLeftovers {
        static int stop(String runnerId, long keepPid) {
            return Containment.stopLeftovers(runnerId, pid -> pid == keepPid, Duration.ofMillis(100));
        }
    }

    private static String marker() {
        return Long.toString(800_000 + ThreadLocalRandom.current().nextInt(99_999));
    }

    /** The one live process whose command line ends with {@code tail} (arguments NUL-separated). */
    private long awaitDaemon(String tail) {
        String end = (tail.contains("\0") ? tail : "sleep\0" + tail) + "\0";
        long[] found = {-1};
        Children.await("daemon " + tail.replace('\0', ' '), () -> {
            for (ProcStat p : ProcFs.scan().values()) {
                try {
                    String cmd = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"),
                            java.nio.charset.StandardCharsets.ISO_8859_1);
                    if (!p.dead() && cmd.endsWith(end)) {
                        found[0] = p.pid();
                        return true;
                    }
                } catch (IOException gone) {
                    // vanished meanwhile
                }
            }
            return false;
        });
        daemons.add(found[0]);
        return found[0];
    }

    private static Path cgroupOf(long pid) throws IOException {
        String line = Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup")).stream()
                .filter(l -> l.startsWith("0::")).findFirst().orElseThrow();
        Path mount = CgroupV2Location.own();
        // own() is this JVM's cgroup; the daemon's path is relative to the same mount
        String own = Files.readAllLines(Path.of("/proc/self/cgroup")).stream()
                .filter(l -> l.startsWith("0::")).findFirst().orElseThrow().substring(3);
        Path base = own.equals("/") ? mount : Path.of(mount.toString().substring(0, mount.toString().length() - own.length()));
        return base.resolve(line.substring(3).replaceFirst("^/", ""));
    }

    /** PIDFD_GET_INFO came with Linux 6.13. */
    private static boolean pidfdInfoExpected() {
        String[] v = System.getProperty("os.version").split("[.-]");
        int major = Integer.parseInt(v[0]);
        int minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
        return major > 6 || major == 6 && minor >= 13;
    }

    /** A launch's placement, even once it has ended (a short one may end before it is looked at). */
    private static Placement placementOf(RunningProcess p) {
        return ((OsRunningProcess) p).placement();
    }
}
