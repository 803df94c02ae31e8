package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.Await;
import io.smartrunner.testkit.ChildProcesses;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * sr-death-watch, the program the build puts beside the jar (bin/build-death-watch), with real
 * processes: the end of its input (the runner's death) kills what carries the runner's id and
 * nothing else; "q" (a clean stop) kills nothing.
 */
class DeathWatchProgramTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private final List<Long> cleanup = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        cleanup.forEach(ChildProcesses::kill);
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
        Process p = new ProcessBuilder(program().toString(), "4194305", "-", id)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        cleanup.add(p.pid());
        return p;
    }

    @Test
    void theEndOfItsInputKillsWhatCarriesTheRunnersIdAndNothingElse() throws Exception {
        String id = "t-" + UUID.randomUUID();
        long ours = tagged(id);
        long another = tagged(id + "x"); // another runner's: a prefix is not the id
        Process watch = watch(id);

        watch.getOutputStream().close(); // the runner died: its end of the pipe closed

        assertTrue(watch.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, watch.exitValue());
        Await.until("the runner's session is killed", BOUND, () -> !ChildProcesses.alive(ours));
        assertTrue(ChildProcesses.alive(another), "another runner's session lives on");
        String said = new String(watch.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(said.startsWith("smart-runner watchdog: the runner closed its end of the pipe"), said);
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
