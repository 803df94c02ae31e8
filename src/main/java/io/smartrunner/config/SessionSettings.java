package io.smartrunner.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a profile's session is run. The top-level {@code session} block holds the defaults; a pod
 * or a profile may override any field (the loader merges them, so each {@link ProfileConfig}
 * carries its effective settings).
 *
 * @param command       argv template; placeholders {@code {profileId} {pod} {sessionId}
 *                      {homepage} {cdpUrl}} are substituted per argument; never run through a shell
 * @param env           extra environment variables (values may use the same placeholders)
 * @param workingDir    working directory of the child; null = the runner's
 * @param timeoutMs     a session running longer fails with reason {@code timeout} [600000]
 * @param idleTimeoutMs a session printing nothing this long fails with reason {@code hang}; 0 = off [0]
 * @param cooldownMs    pause between the end of a session and the next one of the profile [5000]
 * @param stopGraceMs   SIGTERM to SIGKILL delay when stopping a session's process tree [5000]
 * @param logMaxBytes   a per-profile log file is rotated past this size [10 MiB]
 * @param logKeepFiles  rotated files kept per log ({@code .1} .. {@code .N}) [3]
 * @param stderrTailBytes last bytes of stderr put in the {@code error} event [4096]
 * @param inheritEnv    the runner's variables the child inherits beyond the safe base [none]
 * @param exitCodes     what an exit code means (DESIGN §2b); unmapped codes mean {@code profile} [none]
 */
public record SessionSettings(
        List<String> command,
        Map<String, String> env,
        Path workingDir,
        long timeoutMs,
        long idleTimeoutMs,
        long cooldownMs,
        long stopGraceMs,
        long logMaxBytes,
        int logKeepFiles,
        int stderrTailBytes,
        InheritEnv inheritEnv,
        Map<Integer, ExitMeaning> exitCodes) {

    public static final List<String> DEFAULT_COMMAND = List.of("bin/smart-runner", "demo-session");
    public static final long DEFAULT_TIMEOUT_MS = 600_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 0;
    public static final long DEFAULT_COOLDOWN_MS = 5_000;
    public static final long DEFAULT_STOP_GRACE_MS = 5_000;
    public static final long DEFAULT_LOG_MAX_BYTES = 10L * 1024 * 1024;
    public static final int DEFAULT_LOG_KEEP_FILES = 3;
    public static final int DEFAULT_STDERR_TAIL_BYTES = 4096;

    public SessionSettings {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        exitCodes = Map.copyOf(exitCodes);
    }

    /** Settings with no exit code mapped. */
    public SessionSettings(List<String> command, Map<String, String> env, Path workingDir, long timeoutMs,
                           long idleTimeoutMs, long cooldownMs, long stopGraceMs, long logMaxBytes, int logKeepFiles,
                           int stderrTailBytes, InheritEnv inheritEnv) {
        this(command, env, workingDir, timeoutMs, idleTimeoutMs, cooldownMs, stopGraceMs, logMaxBytes, logKeepFiles,
                stderrTailBytes, inheritEnv, Map.of());
    }

    /** What {@code exitCode} means; {@link ExitMeaning#PROFILE} when unmapped or unknown (null). */
    public ExitMeaning meaningOf(Integer exitCode) {
        return exitCode == null ? ExitMeaning.PROFILE : exitCodes.getOrDefault(exitCode, ExitMeaning.PROFILE);
    }

    /** Settings whose children inherit only the safe base of the runner's environment. */
    public SessionSettings(List<String> command, Map<String, String> env, Path workingDir, long timeoutMs,
                           long idleTimeoutMs, long cooldownMs, long stopGraceMs, long logMaxBytes, int logKeepFiles,
                           int stderrTailBytes) {
        this(command, env, workingDir, timeoutMs, idleTimeoutMs, cooldownMs, stopGraceMs, logMaxBytes, logKeepFiles,
                stderrTailBytes, InheritEnv.NONE);
    }

    public static SessionSettings defaults() {
        return new SessionSettings(DEFAULT_COMMAND, Map.of(), null, DEFAULT_TIMEOUT_MS,
                DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_COOLDOWN_MS, DEFAULT_STOP_GRACE_MS,
                DEFAULT_LOG_MAX_BYTES, DEFAULT_LOG_KEEP_FILES, DEFAULT_STDERR_TAIL_BYTES);
    }
}
