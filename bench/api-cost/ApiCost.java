package io.smartrunner.http;

import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.ProfileStateJson;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * What one read of 10 000 profiles costs the runner in CPU, without the HTTP server, the network
 * or the machine's other processes: the thread's own CPU time per answer (body built and written
 * as JSON), median and p99 over ROUNDS after a warm-up. Run by bench/api-cost.sh.
 */
public final class ApiCost {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int profiles = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        List<ProfileState> all = new ArrayList<>();
        Instant at = Instant.parse("2026-12-01T10:00:00Z");
        for (int i = 0; i < profiles; i++) {
            all.add(new ProfileState("p%05d".formatted(i), "pod" + i * 10 / profiles, i % 3, i % 10 == 1, i % 10 == 2,
                    i % 10 == 0, i % 10 == 0 ? at.plusSeconds(3600) : null, UUID.randomUUID().toString(),
                    i % 3 == 0 ? null : "exit 1", at, at, 0, i % 10 == 0 ? at : null));
        }
        System.out.printf("CPU per answer over %d profiles (%d rounds after %d of warm-up): median / p99%n", profiles, rounds, rounds);
        measure("full list (no query)", all, null, rounds);
        measure("first page", all, "limit=100", rounds);
        measure("filtered page", all, "pod=pod3&state=running&limit=100", rounds);
        measure("text match", all, "q=p0042&limit=100", rounds);
        measure("page after a cursor", all, "after=p%05d&limit=100".formatted(profiles / 2), rounds);
        measureSummary(all, rounds);
    }

    private static void measure(String label, List<ProfileState> all, String query, int rounds) throws Exception {
        double[] ms = new double[rounds];
        int size = 0;
        for (int r = -rounds; r < rounds; r++) {
            long c0 = CPU.getCurrentThreadCpuTime();
            if (query == null) {
                CountingSink out = new CountingSink();
                ProfilesRoute.writeAll(out, all, ProfileStateJson::of);
                size = (int) out.count;
            } else {
                size = ApiHandler.JSON.writeValueAsBytes(ProfilesRoute.page(query, all, ProfileStateJson::of)).length;
            }
            if (r >= 0) {
                ms[r] = (CPU.getCurrentThreadCpuTime() - c0) / 1e6;
            }
        }
        print(label, ms, size);
    }

    private static void measureSummary(List<ProfileState> all, int rounds) throws Exception {
        double[] ms = new double[rounds];
        int size = 0;
        for (int r = -rounds; r < rounds; r++) {
            long c0 = CPU.getCurrentThreadCpuTime();
            size = ApiHandler.JSON.writeValueAsBytes(SummaryRoute.json(all)).length;
            if (r >= 0) {
                ms[r] = (CPU.getCurrentThreadCpuTime() - c0) / 1e6;
            }
        }
        print("summary", ms, size);
    }

    /** Where the streamed list goes: counted, not kept (as the socket would take it). */
    private static final class CountingSink extends java.io.OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    private static void print(String label, double[] ms, int size) {
        Arrays.sort(ms);
        System.out.printf("  %-22s %7.2f ms %7.2f ms %9.1f KiB%n", label, ms[ms.length / 2],
                ms[Math.min(ms.length - 1, (int) (ms.length * 0.99))], size / 1024.0);
    }
}
