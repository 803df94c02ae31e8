package io.smartrunner.admission;

/**
 * Reads how loaded the host is, for admission control ({@link AdmissionGate}). Called on the
 * engine loop at most about once a second, so a read must be cheap and must not block (a
 * {@code /proc} file is generated in memory by the kernel). Implementations need not be thread-safe.
 */
public interface HostPressure {
    /** The current reading; {@link HostReading#UNKNOWN} (or unknown parts) when it cannot be read. Never throws. */
    HostReading read();

    /** Never under pressure (tests that are not about admission control). */
    static HostPressure none() {
        return () -> HostReading.UNKNOWN;
    }
}
