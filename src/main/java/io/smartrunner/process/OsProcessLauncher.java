package io.smartrunner.process;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Starts each child in a session and process group of its own, without a shell: the command is
 * {@code setsid -- argv...}, and util-linux setsid calls setsid() and then execvp's the user's
 * program in the same pid (a freshly spawned child is never a group leader, so it need not
 * fork). pid == pgid == sid of the child. stdout and stderr are opened O_APPEND on the profile's
 * log files and handed to the child: the runner never drains a pipe. stdin is /dev/null.
 * Thread-safe; cheap per launch (no threads of its own, one read of /proc/PID/stat).
 *
 * <p>What callers should know:
 * <ul>
 *   <li>The SR_* variables are the caller's to put in {@link LaunchSpec#env()}; stop and the
 *       {@link ProcFsProcessTable} recognise session processes by SR_SESSION_ID and SR_RUNNER_ID.</li>
 *   <li>A log file's cap is enforced when {@link RunningProcess#pollOutput()} runs (copy-truncate),
 *       so poll regularly; between polls a file grows by whatever the child writes. The count is
 *       exact until a rotation; see {@code SessionLog#poll} for what a rotation can lose.</li>
 *   <li>When setsid itself cannot execute the program (e.g. a script whose interpreter is
 *       missing), the exit status carries {@code spawnError} and exit code 126 or 127.</li>
 * </ul>
 */
public final class OsProcessLauncher implements ProcessLauncher {
    // The portable fallback of PosixSpawnLauncher: pure JDK, but one more exec per launch (setsid)
    // and a JDK reaper thread per child.
    private static final List<Path> SETSID_CANDIDATES = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));
    private static final Redirect NO_INPUT = Redirect.from(new File("/dev/null"));
    /** What util-linux setsid prints when its execvp fails; it then exits 126 or 127. */
    private static final String SETSID_FAILED = "setsid: failed to execute ";

    private final String setsid;
    private final ScheduledExecutorService timers;
    private final ChildEnvironment childEnv;

    /** Uses the package's shared daemon timer thread for stop grace periods. */
    public OsProcessLauncher() {
        this(ChildEnvironment.ofThisProcess(), ProcessTimers.shared());
    }

    /**
     * @param childEnv what of the runner's environment children may inherit
     * @param timers   runs the steps of {@link RunningProcess#stop}; one thread is plenty
     * @throws ProcessException when util-linux {@code setsid} is not installed
     */
    public OsProcessLauncher(ChildEnvironment childEnv, ScheduledExecutorService timers) {
        this.childEnv = childEnv;
        this.timers = timers;
        this.setsid = SETSID_CANDIDATES.stream().filter(Files::isExecutable).findFirst()
                .map(Path::toString)
                .orElseThrow(() -> new ProcessException("util-linux setsid not found at " + SETSID_CANDIDATES));
    }

    @Override
    public RunningProcess launch(LaunchSpec spec) {
        if (spec.argv().isEmpty()) {
            throw new SpawnException("cannot start: empty command");
        }
        String program = spec.argv().get(0);
        Path dir = SpawnCheck.workingDir(program, spec.workingDir());
        List<String> command = new ArrayList<>(spec.argv().size() + 2);
        command.add(setsid);
        command.add("--");
        command.addAll(spec.argv());
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(childEnv.build(spec.inherit(), spec.env()));
        SpawnCheck.executable(program, dir, env.get("PATH"));
        Placement placement = Containment.place(spec);
        builder.command(placement.command(command, setsid, Placement.Spawn.JDK, env.get("PWD")));

        OutputFiles files = spec.output();
        SessionOutput output;
        Process process;
        try {
            output = SessionOutput.open(files);
            process = builder.redirectInput(NO_INPUT)
                    .redirectOutput(Redirect.appendTo(files.stdout().toFile()))
                    .redirectError(Redirect.appendTo(files.stderr().toFile()))
                    .start();
            placement.afterSpawn(process.pid());
        } catch (IOException e) {
            placement.spawned(-1, -1, null);
            throw new SpawnException(SpawnCheck.cannotStart(program, SpawnCheck.reason(e)).getMessage(), e);
        }
        // -1 when the child has already exited and been reaped: then nothing is left to identify
        long startTicks = ProcFs.stat(process.pid()).map(ProcStat::startTicks).orElse(-1L);
        CompletableFuture<ExitStatus> exit = process.onExit().thenApply(p -> status(p.exitValue(), output));
        exit = placement.spawned(process.pid(), startTicks, exit);
        return new OsRunningProcess(process.pid(), exit, startTicks, spec.sessionId(), output, timers, placement);
    }

    private static ExitStatus status(int code, SessionOutput output) {
        if (code == 126 || code == 127) {
            String head = output.stderrHead(4096);
            if (head.startsWith(SETSID_FAILED)) {
                return new ExitStatus(code, null, spawnError(head));
            }
        }
        return Signals.exitStatus(code);
    }

    /** "setsid: failed to execute foo: No such file or directory" → the launcher's own wording. */
    private static String spawnError(String setsidMessage) {
        String line = setsidMessage.lines().findFirst().orElse("").substring(SETSID_FAILED.length());
        int colon = line.lastIndexOf(": ");
        return colon < 0 ? "cannot start: " + line
                : SpawnCheck.cannotStart(line.substring(0, colon), line.substring(colon + 2)).getMessage();
    }
}
