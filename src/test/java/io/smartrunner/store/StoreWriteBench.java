package io.smartrunner.store;

import io.smartrunner.config.RunnerSettings.SqliteSynchronous;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord.Status;
import io.smartrunner.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * bench/store-write.sh: the time of one {@link StateStore#write} of 100 profiles + 100 sessions,
 * SQLite against PostgreSQL on this machine (a throwaway server with PostgreSQL's durable
 * defaults: fsync on, synchronous_commit on). Not a test: it prints figures, asserts nothing.
 */
public final class StoreWriteBench {
    private static final int ROWS = 100;
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");

    public static void main(String[] args) throws Exception {
        int writes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path dir = Files.createTempDirectory("sr-store-bench-");
        System.out.printf("write of %d profiles + %d sessions (one transaction), %d writes after %d warm-up:%n",
                ROWS, ROWS, writes, writes / 4);
        for (SqliteSynchronous sync : List.of(SqliteSynchronous.NORMAL, SqliteSynchronous.FULL)) {
            Path file = dir.resolve("state-" + sync + ".db");
            report("SQLite, synchronous " + sync, writes, () -> SqliteStateStore.open(file, sync));
        }
        PostgresServer server = PostgresServer.start(false);
        try {
            String url = server.newDatabase("bench");
            report("PostgreSQL " + "(loopback, fsync on, poolSize 4)", writes, () -> PostgresStateStore.open(
                    StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 4), "bench"));
        } finally {
            server.stop();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void report(String label, int writes, Supplier<StateStore> open) {
        try (StateStore store = open.get()) {
            int warmUp = writes / 4;
            long[] micros = new long[writes];
            for (int i = -warmUp; i < writes; i++) {
                StateWrite write = write(i + warmUp);
                long start = System.nanoTime();
                store.write(write);
                long took = (System.nanoTime() - start) / 1000;
                if (i >= 0) {
                    micros[i] = took;
                }
            }
            Arrays.sort(micros);
            System.out.printf("  %-45s median %6.2f ms   p95 %6.2f ms%n", label, micros[writes / 2] / 1000.0,
                    micros[(int) (writes * 0.95)] / 1000.0);
        }
    }

    /** Round {@code n}: every profile changed, each with a new session that has ended. */
    private static StateWrite write(int n) {
        List<ProfileState> profiles = new ArrayList<>();
        List<SessionRecord> sessions = new ArrayList<>();
        for (int p = 0; p < ROWS; p++) {
            String id = "p" + p;
            String session = id + "-s" + n;
            Instant start = T0.plusSeconds(n);
            profiles.add(new ProfileState(id, "podA", n % 3, false, false, false, null, session, null, start,
                    start.plusMillis(500), 0, null));
            sessions.add(new SessionRecord(session, id, "podA", 1000 + p, 5000 + n, 1000 + p, start,
                    Status.FINISHED, start.plusMillis(500), null, 0));
        }
        return new StateWrite(profiles, sessions);
    }
}
