package io.smartrunner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two launchers started together on a checkout whose jar is missing (two runners of a fleet, a
 * runner and a CLI command) build it once: the second waits for the first's jar. Both building, the
 * second's shade step replaced the jar under the first ("Could not replace original artifact"), and
 * the first then said "Unable to access jarfile". Run on a copy of bin/smart-runner with a stand-in
 * {@code mvn} (it says when it starts, waits for the test's go, then writes the jar) and {@code java}.
 */
class LauncherConcurrentBuildTest {
    @TempDir
    Path dir;
    private final java.util.List<Process> started = new java.util.ArrayList<>();

    /** A failing run leaves no stand-in build waiting on its fifo. */
    @org.junit.jupiter.api.AfterEach
    void stopWhatIsLeft() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    private Process launcher(Path home, Path fakes, String name) throws IOException {
        ProcessBuilder b = new ProcessBuilder(home.resolve("bin/smart-runner").toString(), "--version")
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile());
        b.environment().put("PATH", fakes + ":/usr/bin:/bin");
        b.environment().put("SR_TEST_DIR", dir.toString());
        Process p = b.start();
        started.add(p);
        return p;
    }

    private String out(String name) throws IOException {
        Path f = dir.resolve(name + ".out");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    @Test
    void twoLaunchersStartedTogetherBuildTheJarOnce() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("src/main"));
        Files.writeString(home.resolve("pom.xml"), "<project/>\n");
        Files.copy(Path.of("bin/smart-runner"), home.resolve("bin/smart-runner"));
        Path fakes = Files.createDirectories(dir.resolve("fakes"));
        // each build is counted; it holds until the test says go, then leaves a jar newer than the sources
        assertEquals(0, new ProcessBuilder("mkfifo", dir.resolve("go").toString()).start().waitFor());
        executable(fakes.resolve("mvn"), "#!/bin/sh\necho build >> \"$SR_TEST_DIR/builds\"\n"
                + "cat \"$SR_TEST_DIR/go\" > /dev/null\n" // until the test writes to the fifo
                + "mkdir -p target && echo jar > target/smart-runner.jar\n");
        executable(fakes.resolve("java"), "#!/bin/sh\necho \"java ran: $*\"\n");

        Process first = launcher(home, fakes, "first");
        Await.until("the first launcher's build", Duration.ofSeconds(30), () -> Files.exists(dir.resolve("builds")));
        Process second = launcher(home, fakes, "second");
        Await.until("the second launcher waiting", Duration.ofSeconds(30), () -> {
            try {
                return out("second").contains("another launcher is building");
            } catch (IOException e) {
                return false;
            }
        });
        Files.writeString(dir.resolve("go"), "go\n"); // opens the fifo once the build reads it

        assertTrue(first.waitFor(60, TimeUnit.SECONDS) && second.waitFor(60, TimeUnit.SECONDS), "both ended");
        assertEquals(0, first.exitValue(), out("first"));
        assertEquals(0, second.exitValue(), out("second"));
        assertEquals(1, Files.readAllLines(dir.resolve("builds"), StandardCharsets.UTF_8).size(),
                "built once: " + out("first") + out("second"));
        assertTrue(out("first").contains("building") && out("first").contains("java ran:"), out("first"));
        assertTrue(out("second").contains("java ran:") && !out("second").contains("smart-runner: building"),
                out("second"));
    }
}
