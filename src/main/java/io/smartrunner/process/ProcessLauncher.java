package io.smartrunner.process;

/**
 * Starts session children. The real one ({@link OsProcessLauncher}) runs each child in a session
 * and process group of its own, with stdout and stderr going straight into log files (so a chatty
 * child never blocks and costs the runner nothing). Tests use a fake. Thread-safe.
 */
public interface ProcessLauncher {
    /**
     * @throws SpawnException when the child cannot be started (missing or non-executable binary,
     *                        bad working directory), with the OS's message
     */
    RunningProcess launch(LaunchSpec spec);
}
