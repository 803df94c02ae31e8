package io.smartrunner.admission;

/**
 * One look at how loaded the host is.
 *
 * @param availableMemoryMb MemAvailable in MiB (what can be allocated without swapping); -1 = unknown
 * @param loadPerCore       the 1-minute load average divided by the available processors; NaN = unknown
 */
public record HostReading(long availableMemoryMb, double loadPerCore) {
    /** Nothing could be read: admission control lets every start through rather than stall the fleet. */
    public static final HostReading UNKNOWN = new HostReading(-1, Double.NaN);

    public boolean memoryKnown() {
        return availableMemoryMb >= 0;
    }

    public boolean loadKnown() {
        return !Double.isNaN(loadPerCore);
    }
}
