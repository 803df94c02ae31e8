package io.smartrunner.store;

import io.smartrunner.config.HostName;
import java.nio.file.Path;

/**
 * The name a runner is known by in a shared (PostgreSQL) store, until {@code runner.name} exists
 * (cluster membership, issue #11 point 2): {@code <host name>:<absolute data dir>}. One data dir
 * holds one runner at a time (its lock), so the name is unique on the machine, and a restarted
 * runner on the same data dir finds its runner id again — and with it the processes a crash left.
 */
public final class RunnerName {
    private RunnerName() {
    }

    public static String forDataDir(Path dataDir) {
        return hostName() + ":" + dataDir.toAbsolutePath().normalize();
    }

    /** The kernel's host name ({@link HostName}). */
    public static String hostName() {
        return HostName.get();
    }
}
