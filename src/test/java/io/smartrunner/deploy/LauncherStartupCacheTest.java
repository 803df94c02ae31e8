package io.smartrunner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/smart-runner hands the JVM the start-up cache bin/startup-cache wrote (the class archive,
 * SQLite's and JNA's libraries) only while each one's {@code .ok} file still matches the file and
 * the jar: a stale or truncated archive would crash the JVM (docs/performance.md). The launcher
 * runs from a copy in a scratch home, with a {@code java} on PATH that prints its arguments.
 */
class LauncherStartupCacheTest {
    @TempDir
    Path home;
    private Path jar;
    private Path jsa;
    private Path sqlite;
    private Path jna;

    @BeforeEach
    void scratchHome() throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Files.copy(Path.of("bin/smart-runner"), bin.resolve("smart-runner"));
        Path fakeJava = Files.writeString(Files.createDirectories(home.resolve("jdk/bin")).resolve("java"),
                "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwx------"));
        Path target = Files.createDirectories(home.resolve("target"));
        jar = Files.writeString(target.resolve("smart-runner.jar"), "a jar");
        jsa = Files.writeString(target.resolve("smart-runner.jsa"), "an archive");
        Path nativeDir = Files.createDirectories(target.resolve("smart-runner-native"));
        sqlite = Files.writeString(nativeDir.resolve("libsqlitejdbc.so"), "sqlite");
        jna = Files.writeString(nativeDir.resolve("libjnidispatch.so"), "jna");
        for (Path p : List.of(jsa, sqlite, jna)) {
            writeOk(p);
        }
    }

    /** What bin/startup-cache writes: the file's size and mtime, then the jar's. */
    private void writeOk(Path p) throws IOException {
        Files.writeString(p.resolveSibling(p.getFileName() + ".ok"), Files.size(p) + " "
                + Files.getLastModifiedTime(p).toMillis() / 1000 + "\n" + Files.size(jar) + " "
                + Files.getLastModifiedTime(jar).toMillis() / 1000 + "\n");
    }

    private List<String> javaArgs() throws IOException, InterruptedException {
        return javaArgs(home.resolve("bin/smart-runner"));
    }

    /** What the launcher started as {@code launcher} hands the fake java. */
    private List<String> javaArgs(Path launcher) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder("bash", launcher.toString(), "run", "-c", "x.json")
                .redirectErrorStream(true);
        b.environment().put("PATH", home.resolve("jdk/bin") + ":/usr/bin:/bin");
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    /**
     * Reviewer R21: the launcher's stat ran in a process substitution, which bash does not wait for;
     * left unreaped, it became a zombie child of the java the launcher execs, for the runner's life.
     * The fake java here (Python, which reaps no child it did not start) lists its children. A race
     * (the stat's exit against the exec): with the process substitution about one launch in six
     * showed it, so 30 launches (0.4 % to miss it).
     */
    @Test
    void theLauncherLeavesTheJavaItExecsNoChild() throws Exception {
        Path java = Files.writeString(Files.createDirectories(home.resolve("jdk-children/bin")).resolve("java"), String.join("\n",
                "#!/usr/bin/python3",
                "import os, time",
                "time.sleep(0.1)",
                "for pid in filter(str.isdigit, os.listdir('/proc')):",
                "    try:",
                "        stat = open(f'/proc/{pid}/stat').read()",
                "    except OSError:",
                "        continue",
                "    if int(stat[stat.rindex(')') + 2:].split()[1]) == os.getpid():",
                "        print('child:', stat.strip())",
                "print('listed')", ""));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        for (int launch = 0; launch < 30; launch++) {
            ProcessBuilder b = new ProcessBuilder("bash", home.resolve("bin/smart-runner").toString(), "run", "-c",
                    "x.json").redirectErrorStream(true);
            b.environment().put("PATH", home.resolve("jdk-children/bin") + ":/usr/bin:/bin");
            Process p = b.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
            assertTrue(out.contains("listed"), out);
            assertFalse(out.contains("child:"), "launch " + launch + ": " + out);
        }
    }

    /** behaviour.md: an Error stops the runner; out of memory it used to limp, silent, for minutes first. */
    @Test
    void theRunnerExitsAtOnceWhenOutOfMemory() throws Exception {
        assertTrue(javaArgs().contains("-XX:+ExitOnOutOfMemoryError"));
    }

    @Test
    void aCacheThatMatchesTheJarIsHandedToTheJvm() throws Exception {
        List<String> args = javaArgs();

        assertTrue(args.contains("-XX:SharedArchiveFile=" + jsa), args.toString());
        assertTrue(args.contains("-Dorg.sqlite.lib.path=" + sqlite.getParent()), args.toString());
        assertTrue(args.contains("-Djna.boot.library.path=" + jna.getParent()), args.toString());
        assertEquals(List.of("-jar", jar.toString(), "run", "-c", "x.json"),
                args.subList(args.size() - 5, args.size()));
    }

    @Test
    void anotherJarInvalidatesTheWholeCache() throws Exception {
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5_000));

        List<String> args = javaArgs();

        assertFalse(args.stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile")), args.toString());
        assertFalse(args.stream().anyMatch(a -> a.startsWith("-Dorg.sqlite.lib.path")), args.toString());
        assertFalse(args.stream().anyMatch(a -> a.startsWith("-Djna.boot.library.path")), args.toString());
    }

    @Test
    void aTruncatedArchiveOrLibraryIsLeftOutAlone() throws Exception {
        Files.writeString(jsa, "an arch");
        Files.setLastModifiedTime(jsa, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis()));
        Files.writeString(jna, "");

        List<String> args = javaArgs();

        assertFalse(args.stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile")), args.toString());
        assertFalse(args.stream().anyMatch(a -> a.startsWith("-Djna.boot.library.path")), args.toString());
        assertTrue(args.contains("-Dorg.sqlite.lib.path=" + sqlite.getParent()), args.toString());
    }

    /** Installed as a symlink on PATH (e.g. in /usr/local/bin): the home is still the checkout's. */
    @Test
    void throughASymlinkElsewhereTheLauncherStillFindsItsJarAndCache() throws Exception {
        Path link = Files.createSymbolicLink(Files.createDirectories(home.resolveSibling(home.getFileName() + "-path"))
                .resolve("smart-runner"), home.resolve("bin/smart-runner"));
        try {
            List<String> args = javaArgs(link);

            assertTrue(args.contains("-XX:SharedArchiveFile=" + jsa), args.toString());
            assertEquals(List.of("-jar", jar.toString(), "run", "-c", "x.json"),
                    args.subList(args.size() - 5, args.size()));
        } finally {
            Files.delete(link);
            Files.delete(link.getParent());
        }
    }
}
