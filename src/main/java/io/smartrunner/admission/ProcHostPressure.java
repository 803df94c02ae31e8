package io.smartrunner.admission;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntSupplier;

/**
 * Reads {@code MemAvailable} from {@code /proc/meminfo} and the 1-minute load average from
 * {@code /proc/loadavg}, divided by the processors this JVM may use. The paths are parameters so
 * a test can point them at files it writes. A file that cannot be read or parsed gives an
 * unknown reading for its part (kernels before 3.14 have no MemAvailable).
 */
public final class ProcHostPressure implements HostPressure {
    private final Path meminfo;
    private final Path loadavg;
    private final IntSupplier processors;

    public ProcHostPressure(Path meminfo, Path loadavg, IntSupplier processors) {
        this.meminfo = meminfo;
        this.loadavg = loadavg;
        this.processors = processors;
    }

    /** The machine's own {@code /proc} and {@link Runtime#availableProcessors()} (honours cgroup CPU limits). */
    public static ProcHostPressure system() {
        return new ProcHostPressure(Path.of("/proc/meminfo"), Path.of("/proc/loadavg"),
                Runtime.getRuntime()::availableProcessors);
    }

    @Override
    public HostReading read() {
        return new HostReading(availableMemoryMb(), loadPerCore());
    }

    private long availableMemoryMb() {
        try {
            for (String line : Files.readAllLines(meminfo, StandardCharsets.US_ASCII)) {
                if (line.startsWith("MemAvailable:")) {
                    String[] parts = line.substring("MemAvailable:".length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024; // the kernel writes kB (KiB)
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: admission control does not hold starts on a reading it does not have
        }
        return -1;
    }

    private double loadPerCore() {
        try {
            String[] fields = Files.readString(loadavg, StandardCharsets.US_ASCII).trim().split("\\s+");
            return Double.parseDouble(fields[0]) / Math.max(1, processors.getAsInt());
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
