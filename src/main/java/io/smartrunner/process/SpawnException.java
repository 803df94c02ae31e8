package io.smartrunner.process;

import io.smartrunner.SmartRunnerException;

/** A child that could not be started; the message carries the OS's reason. */
public final class SpawnException extends SmartRunnerException {
    private static final int EAGAIN = 11;
    private static final int ENOMEM = 12;
    private static final int ENFILE = 23;
    private static final int EMFILE = 24;

    private final boolean hostShort;

    public SpawnException(String message) {
        this(message, false);
    }

    /** @param hostShort the host refused a process or a descriptor (see {@link #hostShort()}) */
    public SpawnException(String message, boolean hostShort) {
        super(message);
        this.hostShort = hostShort;
    }

    public SpawnException(String message, Throwable cause) {
        super(message, cause);
        this.hostShort = false;
    }

    /**
     * Whether the spawn failed because the host was short of processes or descriptors (EAGAIN: a
     * process limit, ENOMEM, EMFILE, ENFILE): not the program's failure, and every child started
     * in the same moments may fail for the same reason.
     */
    public boolean hostShort() {
        return hostShort;
    }

    /** Whether {@code errno} says the host was short of processes, memory or descriptors. */
    static boolean hostShort(int errno) {
        return errno == EAGAIN || errno == ENOMEM || errno == ENFILE || errno == EMFILE;
    }
}
