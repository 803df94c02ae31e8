package io.smartrunner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * bin/smart-runner gives {@code -XX:TrimNativeHeapInterval} only to a JDK that knows it (an older
 * one refuses to start): its {@code trim_supported} function, run by bash on a fake JDK's release
 * file, and on the JDK these tests run with: given exactly when that JVM accepts it.
 */
class LauncherTrimFlagTest {
    private static final Path LAUNCHER = Path.of("bin/smart-runner");

    @TempDir
    Path dir;

    /** Runs the launcher's trim_supported with {@code path} first on PATH; its exit code. */
    private static int trimSupported(String path) throws IOException, InterruptedException {
        String script = "source <(sed -n '/^trim_supported()/,/^}/p' \"$1\"); trim_supported";
        ProcessBuilder b = new ProcessBuilder("bash", "-c", script, "test", LAUNCHER.toString())
                .redirectErrorStream(true);
        b.environment().put("PATH", path);
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("trim_supported did not finish");
        }
        assertEquals("", out, "trim_supported prints nothing");
        return p.exitValue();
    }

    /** {@code dir/jdk/bin} holding an executable {@code java} that does nothing (no release file yet). */
    private Path fakeJdkBin() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("jdk/bin"));
        Path java = Files.writeString(bin.resolve("java"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        return bin;
    }

    @ParameterizedTest
    @CsvSource({"'\"17.0.8\"', 1", "'\"17.0.9\"', 0", "'\"17.0.15\"', 0", "'\"17\"', 1", "'\"18.0.2\"', 1",
            "'\"21\"', 1", "'\"21.0.1\"', 0", "'\"22\"', 0", "'\"25.0.1\"', 0", "garbage, 1", "'', 1"})
    void onlyAJdkThatKnowsTheFlagGetsIt(String version, int expected) throws Exception {
        Path bin = fakeJdkBin();
        Files.writeString(dir.resolve("jdk/release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=" + version + "\n");

        assertEquals(expected, trimSupported(bin + ":/usr/bin:/bin"), "JAVA_VERSION=" + version);
    }

    @Test
    void aJdkWithoutAReleaseFileDoesNotGetIt() throws Exception {
        Path bin = fakeJdkBin();

        assertEquals(1, trimSupported(bin + ":/usr/bin:/bin"));
    }

    @Test
    void onThisJdkTheLauncherGivesTheFlagExactlyWhenTheJvmAcceptsIt() throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin");
        Process p = new ProcessBuilder(javaBin.resolve("java").toString(), "-XX:TrimNativeHeapInterval=10000",
                "-version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean accepts = p.waitFor() == 0;

        assertEquals(accepts, trimSupported(javaBin + ":/usr/bin:/bin") == 0, out);
    }
}
