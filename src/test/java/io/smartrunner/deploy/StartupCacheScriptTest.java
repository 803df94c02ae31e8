package io.smartrunner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/startup-cache hands the JVM the jar by its absolute path whatever it was given: the class
 * archive records the path as given, and the JVM looks for it from the runner's own working
 * directory, so an archive made with a relative path was silently ignored by every start from
 * elsewhere (the harness's cold start: 0.36 s became 0.84 s). Run from a copy in a scratch home,
 * with a {@code java} on PATH that writes down how it was called and fails (no cache then: the
 * script says so and exits 0, as it must never fail a build).
 */
class StartupCacheScriptTest {
    @TempDir
    Path home;

    @Test
    void aRelativeJarIsHandedToTheJvmByItsAbsolutePath() throws Exception {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Files.copy(Path.of("bin/startup-cache"), bin.resolve("startup-cache"));
        Path calls = home.resolve("java-calls.txt");
        Path fakeJava = Files.writeString(Files.createDirectories(home.resolve("jdk/bin")).resolve("java"),
                "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\" >> '" + calls + "'; done\nexit 1\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwx------"));
        Path jar = Files.writeString(Files.createDirectories(home.resolve("target")).resolve("smart-runner.jar"), "a jar");

        ProcessBuilder b = new ProcessBuilder("bash", "bin/startup-cache", "target/smart-runner.jar")
                .directory(home.toFile()).redirectErrorStream(true);
        b.environment().put("PATH", home.resolve("jdk/bin") + ":/usr/bin:/bin");
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);

        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("no start-up cache (training run: ready=0"), out);
        List<String> args = Files.readAllLines(calls);
        List<String> jars = new ArrayList<>();
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("-jar")) {
                jars.add(args.get(i + 1));
            }
        }
        assertEquals(List.of(jar.toString()), jars, "the training run's -jar, absolute");
    }
}
