package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.smartrunner.testkit.Await;
import io.smartrunner.testkit.ChildProcesses;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sr-death-watch, the program the build puts beside the jar (bin/build-death-watch), with real
 * processes and real cgroups: the end of its input (the runner's death) kills what carries the
 * runner's id and what is in the runner's cgroup tree, and nothing else, says whether it killed
 * anything, and removes the emptied tree unless a runner holds the data dir's lock; "q" (a clean
 * stop) kills nothing.
 */
class DeathWatchProgramTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** A dead runner's pid: above any pid_max, so never the watch's parent. */
    private static final String DEAD_RUNNER = "4194305";
    private final List<Long> cleanup = new ArrayList<>();
    private final List<Path> cgroups = new ArrayList<>();
    @TempDir
    Path dataDir;

    @AfterEach
    void killLeftovers() {
        cleanup.forEach(ChildProcesses::kill);
        for (int i = cgroups.size() - 1; i >= 0; i--) { // deepest last made, first removed
            Path dir = cgroups.get(i);
            // a test that failed with a process still inside: killed above, it leaves as it exits
            Await.until(dir + " removed", BOUND, () -> {
                try {
                    Files.deleteIfExists(dir);
                    return true;
                } catch (IOException busy) {
                    return false;
                }
            });
        }
    }

    private static Path program() {
        Path program = CgroupJoin.besideCode(ProcessWatchdog.DEATH_WATCH);
        assertTrue(program != null && CgroupJoin.runsHere(program), "the build made " + program
                + " (bin/build-death-watch; gcc is installed by bin/setup)");
        return program;
    }

    /** A sleep in a session of its own whose environment carries SR_RUNNER_ID={@code id}. */
    private long tagged(String id) throws IOException {
        ProcessBuilder b = new ProcessBuilder("setsid", "sleep", "1000").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        b.environment().put("SR_RUNNER_ID", id);
        long pid = b.start().pid();
        cleanup.add(pid);
        return pid;
    }

    /**
     * The watch, told of a runner that is not its parent (a dead one's pid, above any pid_max): the
     * test JVM is, and the watch would kill a live runner's other children, this JVM's.
     */
    private Process watch(String id) throws IOException {
        return watch(List.of(program().toString(), DEAD_RUNNER, "-", id));
    }

    private Process watch(List<String> argv) throws IOException {
        Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        cleanup.add(p.pid());
        return p;
    }

    /** What the watch said, once it has exited 0. */
    private static String endOf(Process watch) throws Exception {
        watch.getOutputStream().close(); // the runner died: its end of the pipe closed
        assertTrue(watch.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, watch.exitValue());
        return new String(watch.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /**
     * A runner's cgroup tree as a killed one leaves it: {@code session-1} with a process in it (not
     * tagged: only the cgroup names it), {@code session-2} idle in the pool, and a step's cgroup with
     * one of its own below it.
     */
    /** A killed runner's cgroup tree and the pid of the process left in its {@code session-1}. */
    private record Tree(Path root, long inside) {
    }

    private Tree runnersTree(String id) throws IOException {
        assumeTrue(CgroupContainment.unavailableReason(id).isEmpty(), "cgroup v2 writable here");
        Path root = CgroupContainment.rootFor(id);
        for (Path dir : List.of(root, root.resolve("session-1"), root.resolve("session-2"), root.resolve("step-1"),
                root.resolve("step-1").resolve("inner"))) {
            Files.createDirectory(dir);
            cgroups.add(dir);
        }
        Process inside = new ProcessBuilder("sleep", "1000").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        cleanup.add(inside.pid());
        Files.writeString(root.resolve("session-1").resolve("cgroup.procs"), Long.toString(inside.pid()));
        return new Tree(root, inside.pid());
    }

    /** The watch of {@code runnerPid} over {@code tree}, with the data dir's {@code lock}. */
    private Process watch(String runnerPid, Tree tree, String id, Path lock) throws IOException {
        return watch(List.of(program().toString(), runnerPid, tree.root().toString(), id, lock.toString()));
    }

    @Test
    void theEndOfItsInputKillsWhatCarriesTheRunnersIdAndNothingElse() throws Exception {
        String id = "t-" + UUID.randomUUID();
        long ours = tagged(id);
        long another = tagged(id + "x"); // another runner's: a prefix is not the id
        Process watch = watch(id);

        String said = endOf(watch);

        Await.until("the runner's session is killed", BOUND, () -> !ChildProcesses.alive(ours));
        assertTrue(ChildProcesses.alive(another), "another runner's session lives on");
        assertTrue(said.startsWith("smart-runner watchdog: the runner closed its end of the pipe"), said);
        assertTrue(said.endsWith(": killed the sessions of runner pid " + DEAD_RUNNER + "\n"), said);
    }

    @Test
    void aRunnerThatDiedWithNothingRunningIsNotSaidToHaveKilledAnything() throws Exception {
        String id = "t-" + UUID.randomUUID();
        long another = tagged(id + "x");

        String said = endOf(watch(id));

        assertTrue(said.endsWith(": no process of runner pid " + DEAD_RUNNER + "'s sessions was running, nothing killed\n"),
                said);
        assertFalse(said.contains("killed the sessions"), said);
        assertTrue(ChildProcesses.alive(another));
    }

    @Test
    void aDeadRunnersTreeIsKilledAndRemovedWhenNoRunnerHoldsItsDataDir() throws Exception {
        String id = "t-" + UUID.randomUUID();
        Tree tree = runnersTree(id);
        Path root = tree.root();
        Path lock = dataDir.resolve("runner.lock");
        Files.writeString(lock, "4194305\n"); // the dead runner's, its lock gone with it

        String said = endOf(watch(DEAD_RUNNER, tree, id, lock));

        assertTrue(said.endsWith(": killed the sessions of runner pid " + DEAD_RUNNER + "; removed " + root + "\n"), said);
        assertFalse(ChildProcesses.alive(tree.inside()), "killed through cgroup.kill: it carries no runner id");
        assertFalse(Files.exists(root), "a data dir that never starts again leaves no empty tree behind");
    }

    @Test
    void aRunnerStillAliveRemovesItsOwnTree() throws Exception {
        String id = "t-" + UUID.randomUUID();
        Tree tree = runnersTree(id);
        Path root = tree.root();
        long exiting = tagged("another-" + id); // the runner: alive, exiting without having stopped its sessions
        Path lock = dataDir.resolve("runner.lock");
        Files.writeString(lock, "");

        String said = endOf(watch(Long.toString(exiting), tree, id, lock));

        assertTrue(said.endsWith(": killed the sessions of runner pid " + exiting + "\n"), said);
        assertFalse(ChildProcesses.alive(tree.inside()));
        assertTrue(Files.isDirectory(root.resolve("session-1")), "its own close removes it, after the watch");
    }

    /** The code reviewer's case: a healthcheck's {@code status} holds the lock for a moment; the tree still goes. */
    @Test
    void aLockHeldForAMomentOnlyDoesNotKeepTheTree() throws Exception {
        String id = "t-" + UUID.randomUUID();
        Tree tree = runnersTree(id);
        Path root = tree.root();
        Path lock = dataDir.resolve("runner.lock");
        try (FileChannel command = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = command.lock();
            Process watch = watch(DEAD_RUNNER, tree, id, lock);
            watch.getOutputStream().close();
            Thread.sleep(200); // the command's moment: the scenario itself, not a wait for something
            held.release();
            assertTrue(watch.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS));
            String said = new String(watch.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(said.endsWith("; removed " + root + "\n"), said);
        }
        assertFalse(Files.exists(root));
    }

    @Test
    void aTreeIsLeftToTheRunnerThatHoldsTheDataDirNow() throws Exception {
        String id = "t-" + UUID.randomUUID();
        Tree tree = runnersTree(id);
        Path root = tree.root();
        Path lock = dataDir.resolve("runner.lock");
        try (FileChannel next = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = next.lock()) { // a next runner has started on the data dir: this JVM holds it
            String said = endOf(watch(DEAD_RUNNER, tree, id, lock));

            assertTrue(said.endsWith(": killed the sessions of runner pid " + DEAD_RUNNER + "; " + root + " left to pid "
                    + ProcessHandle.current().pid() + ", which holds " + lock + " (a next runner on the data dir)\n"), said);
            assertTrue(held.isValid());
        }
        assertFalse(ChildProcesses.alive(tree.inside()));
        for (String dir : List.of("session-1", "session-2", "step-1/inner")) {
            assertTrue(Files.isDirectory(root.resolve(dir)), dir + ": the next runner's start clears and reuses it");
        }
    }

    @Test
    void aCleanStopKillsNothing() throws Exception {
        String id = "t-" + UUID.randomUUID();
        long ours = tagged(id);
        Process watch = watch(id);
        try (OutputStream pipe = watch.getOutputStream()) {
            pipe.write("q\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertTrue(watch.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, watch.exitValue());
        assertTrue(ChildProcesses.alive(ours), "the runner stopped its sessions itself: nothing is killed");
        assertEquals("", new String(watch.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void itLeadsASessionOfItsOwn() throws Exception {
        Process watch = watch("t-" + UUID.randomUUID());
        Await.until("it has called setsid", BOUND, () -> {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(watch.pid()), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[3]) == watch.pid(); // field 6, the session id
            } catch (IOException | RuntimeException e) {
                return false;
            }
        });
        watch.getOutputStream().close();
        assertTrue(watch.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS));
    }
}
