package io.smartrunner;

import java.util.concurrent.ThreadFactory;

/**
 * The runner's own threads: named (a thread dump, {@code perf} and {@code top -H} say whose work
 * it is) and daemons, so that no helper thread ever holds up the JVM's exit after the runner has
 * stopped its sessions and written its last event (each part stops its thread on close anyway).
 */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** A daemon thread named {@code name} running {@code body}, not started yet. */
    public static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /** An executor's threads: daemons, every one named {@code name}. */
    public static ThreadFactory named(String name) {
        return body -> daemon(body, name);
    }
}
