package io.smartrunner.store;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
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

    /** The kernel's host name; no DNS lookup, which can hang for seconds in a container. */
    public static String hostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException e) {
            // not Linux: ask the JDK
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
