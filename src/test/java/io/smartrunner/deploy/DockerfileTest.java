package io.smartrunner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/Dockerfile, as far as it can be checked without a Docker daemon (none here): its build
 * stage has every file the Maven build runs (the image did not build for months: bin/ was not
 * copied, and the build's first script exited 127), the image runs the launcher it copies, and
 * its step that puts the start-up cache's mtimes back, run as Docker would (/bin/sh -c) on copies
 * that lost them, leaves stamps the launcher accepts.
 */
class DockerfileTest {
    private static final Path DOCKERFILE = Path.of("deploy/Dockerfile");
    private static final String HOME = "/opt/smart-runner";

    @TempDir
    Path dir;

    @Test
    void theBuildStageCopiesEveryDirectoryTheMavenBuildRunsFrom() throws IOException {
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{project\\.basedir}/([^/<]+)/").matcher(Files.readString(Path.of("pom.xml")));
        while (m.find()) {
            used.add(m.group(1));
        }
        assertTrue(used.contains("bin"), "the pom runs bin/ scripts: " + used);
        Set<String> copied = new TreeSet<>();
        for (String line : stage(0)) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals("COPY") && !line.contains("--from")) {
                for (int i = 1; i < f.length - 1; i++) {
                    copied.add(f[i].split("/")[0]);
                }
            }
        }
        assertTrue(copied.containsAll(used), "the build stage copies " + copied + ", the build runs from " + used);
        assertTrue(copied.contains("src") && copied.contains("pom.xml"), copied.toString());
    }

    @Test
    void theImageRunsTheLauncherItCopiesFromTheBuild() throws IOException {
        String entrypoint = Files.readString(Path.of("deploy/docker-entrypoint.sh"));
        Matcher exec = Pattern.compile("(?m)^exec (\\S+) \"\\$@\"$").matcher(entrypoint);
        assertTrue(exec.find(), entrypoint);
        String launcher = exec.group(1);
        assertEquals(HOME + "/bin/smart-runner", launcher);
        List<String> runtime = stage(1);
        assertTrue(runtime.stream().anyMatch(l -> l.startsWith("COPY --from=build ") && l.trim().endsWith(" " + launcher)),
                "the runtime stage copies " + launcher + ": " + runtime);
        // the launcher finds the jar, and the spawn library, sr-cgroup-exec and sr-death-watch beside it, in target/
        String copies = String.join("\n", runtime);
        for (String file : List.of("smart-runner.jar", "libsr-spawn.so", "sr-cgroup-exec", "sr-death-watch", "smart-runner.jsa", "smart-runner-native")) {
            assertTrue(copies.contains(HOME + "/target/" + file), file + " is not copied into the image: " + copies);
        }
    }

    /** bin/startup-cache's stamps: each file's size and mtime, then the jar's; the launcher compares them as text. */
    @Test
    void theStartUpCacheStampsHoldAgainAfterACopyThatLostTheMtimes() throws Exception {
        Path built = Files.createDirectories(dir.resolve("build/target/smart-runner-native"));
        List<String> cached = List.of("smart-runner.jsa", "smart-runner-native/libsqlitejdbc.so", "smart-runner-native/libjnidispatch.so");
        Path jar = write(built.getParent().resolve("smart-runner.jar"), "jar", 1_700_000_000L);
        long mtime = 1_700_000_100L;
        for (String f : cached) {
            Path file = write(built.getParent().resolve(f), f, mtime += 7);
            Files.writeString(built.getParent().resolve(f + ".ok"), stamp(file) + "\n" + stamp(jar) + "\n");
        }
        // the copy: same bytes, today's mtimes
        Path home = dir.resolve("image");
        Path target = Files.createDirectories(home.resolve("target/smart-runner-native")).getParent();
        for (String f : List.of("smart-runner.jar", "smart-runner.jsa", "smart-runner.jsa.ok",
                "smart-runner-native/libsqlitejdbc.so", "smart-runner-native/libsqlitejdbc.so.ok",
                "smart-runner-native/libjnidispatch.so", "smart-runner-native/libjnidispatch.so.ok")) {
            Files.copy(built.getParent().resolve(f), target.resolve(f));
        }
        assertTrue(!stamp(target.resolve("smart-runner.jar")).equals(stamp(jar)), "the copy kept the jar's mtime: no test");

        String step = stage(1).stream().filter(l -> l.startsWith("RUN cd " + HOME + "/target")).findFirst().orElseThrow();
        Process sh = new ProcessBuilder("/bin/sh", "-c", step.substring("RUN ".length()).replace(HOME, home.toString()))
                .redirectErrorStream(true).start();
        assertTrue(sh.waitFor(30, TimeUnit.SECONDS));
        String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, sh.exitValue(), out);

        for (String f : cached) {
            assertEquals(Files.readString(target.resolve(f + ".ok")).strip(),
                    stamp(target.resolve(f)) + "\n" + stamp(target.resolve("smart-runner.jar")), f);
        }
    }

    private static Path write(Path file, String content, long epochSeconds) throws IOException {
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(epochSeconds, TimeUnit.SECONDS));
        return file;
    }

    /** What {@code stat -c '%s %Y'} prints. */
    private static String stamp(Path file) throws IOException {
        return Files.size(file) + " " + Files.getLastModifiedTime(file).to(TimeUnit.SECONDS);
    }

    /** The instructions of the Dockerfile's stage {@code n} (0: build), continuation lines joined, comments dropped. */
    private static List<String> stage(int n) throws IOException {
        List<List<String>> stages = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            if (pending.length() == 0 && (line.isBlank() || line.startsWith("#"))) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            String instruction = pending.append(line).toString().replaceAll("\\s+", " ").trim();
            pending.setLength(0);
            if (instruction.startsWith("FROM ")) {
                stages.add(new ArrayList<>());
            }
            stages.get(stages.size() - 1).add(instruction);
        }
        return stages.get(n);
    }
}
