package io.smartrunner.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The real CLI as a separate JVM (same class path as the tests), as a user would run it. */
public final class CliProcess {
    /** The cgroups of the runners these tests started, for {@link #removeLeftCgroups} when the test JVM exits. */
    private static final java.util.Set<Path> CGROUP_ROOTS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final java.util.regex.Pattern CGROUP_ROOT =
            java.util.regex.Pattern.compile("containment: cgroup v2 \\(([^,)]+)");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(CliProcess::removeLeftCgroups, "cli-cgroups"));
    }

    public final Process process;
    public final Path stdout;
    public final Path stderr;

    private CliProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public static CliProcess start(Path workDir, String... args) throws IOException {
        return start(workDir, Map.of(), args);
    }

    /** @param env added to the test JVM's environment (e.g. values for {@code ${env:...}} in a config) */
    public static CliProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
        return startUnder(List.of(), workDir, env, args);
    }

    /** The CLI started through {@code wrapper} (e.g. {@code nohup}), an argv put in front of the java command. */
    public static CliProcess startUnder(List<String> wrapper, Path workDir, Map<String, String> env, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(commandLine(args));
        return startCommand(cmd, workDir, env);
    }

    /**
     * The CLI as {@code java @FILE}, its options, class path, main class and {@code args} in FILE:
     * a runner whose command line names neither the jar nor the main class (as a renamed jar's or
     * a wrapper's would not).
     */
    public static CliProcess startFromArgumentFile(Path workDir, Map<String, String> env, String... args)
            throws IOException {
        List<String> cmd = commandLine(args);
        Path file = Files.createTempFile(workDir, "java", ".args");
        StringBuilder text = new StringBuilder();
        for (String arg : cmd.subList(1, cmd.size())) {
            text.append('"').append(arg.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
        }
        Files.writeString(file, text);
        return startCommand(List.of(cmd.get(0), "@" + file), workDir, env);
    }

    private static CliProcess startCommand(List<String> cmd, Path workDir, Map<String, String> env) throws IOException {
        Path out = Files.createTempFile(workDir, "cli", ".out");
        Path err = Files.createTempFile(workDir, "cli", ".err");
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().putAll(env);
        Process p = builder.directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(new File("/dev/null")).start();
        CliProcess cli = new CliProcess(p, out, err);
        // its stderr names its cgroup: read when it exits (and whenever a test reads it), as the
        // test's temporary directory may be gone by the time this JVM exits
        p.onExit().thenRun(() -> {
            try {
                cli.err();
            } catch (IOException gone) {
                // its directory removed already
            }
        });
        return cli;
    }

    /**
     * The empty cgroups runners of these tests left (a runner killed with SIGKILL cannot remove its
     * own; the next start of its data dir would, but a test's data dir is gone by then): without
     * this, each run of the suite left a few behind on the development machine. Only empty ones
     * (rmdir refuses the others), when the tests are over.
     */
    private static void removeLeftCgroups() {
        for (Path root : CGROUP_ROOTS) {
            try (java.util.stream.Stream<Path> groups = Files.list(root)) {
                groups.filter(Files::isDirectory).forEach(g -> g.toFile().delete());
            } catch (IOException | RuntimeException e) {
                // gone already
            }
            root.toFile().delete();
        }
    }

    /** {@code java ... io.smartrunner.cli.Main args}: the CLI on the tests' class path, quick to start. */
    public static List<String> commandLine(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.smartrunner.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs to completion (bounded) and returns the exit code. */
    public static Result run(Path workDir, String... args) throws Exception {
        return run(workDir, Map.of(), args);
    }

    /** As {@link #run(Path, String...)}, with {@code env} added to the environment. */
    public static Result run(Path workDir, Map<String, String> env, String... args) throws Exception {
        CliProcess p = start(workDir, env, args);
        if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
            p.process.destroyForcibly();
            throw new AssertionError("CLI did not finish: " + String.join(" ", args));
        }
        return new Result(p.process.exitValue(), p.out(), p.err());
    }

    public String out() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    public String err() throws IOException {
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        java.util.regex.Matcher m = CGROUP_ROOT.matcher(err);
        if (m.find()) {
            CGROUP_ROOTS.add(Path.of(m.group(1)));
        }
        return err;
    }

    /** Waits (bounded: a start reconciles first, slow on a loaded machine) until the runner says where it listens, and returns that port. */
    public int httpPort() throws InterruptedException {
        java.util.regex.Pattern url = java.util.regex.Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/");
        int[] port = {0};
        await("the runner says where it listens", 60_000, () -> {
            try {
                java.util.regex.Matcher m = url.matcher(err());
                port[0] = m.find() ? Integer.parseInt(m.group(1)) : 0;
            } catch (IOException e) {
                port[0] = 0;
            }
            return port[0] > 0;
        });
        return port[0];
    }

    /**
     * {@code kill -9} of the runner and of its process watchdog first, as when a whole unit or
     * container is killed: nothing kills the sessions then, and only the next start's reconcile
     * stops what they left (with the watchdog alive, a killed runner's sessions die with it).
     */
    public void killWithItsWatchdog() throws IOException, InterruptedException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("process watchdog pid (\\d+)").matcher(err());
        if (!m.find()) {
            throw new AssertionError("the runner named no process watchdog: " + err());
        }
        // the runner stopped first: else it may start a new watchdog between the two kills, which then
        // fires at the runner's death (a full run saw the daemon die with it)
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).start();
        if (!stop.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || stop.exitValue() != 0) {
            throw new AssertionError("kill -STOP " + process.pid() + " failed");
        }
        ProcessHandle.of(Long.parseLong(m.group(1))).ifPresent(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new AssertionError("the runner outlived a kill -9");
        }
    }

    public record Result(int exitCode, String out, String err) {
    }

    /** {@link Await#until}, in the milliseconds the e2e tests count in. */
    public static void await(String what, long timeoutMs, BooleanSupplier condition) {
        Await.until(what, Duration.ofMillis(timeoutMs), condition);
    }
}
