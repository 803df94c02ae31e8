package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A queued control is applied once even when two runners claim it at the same instant (a lease
 * handed over while the control waits: docs/cluster-fleet-view.md): the claim is one conditional
 * update, and the second of two concurrent ones finds the row taken.
 */
class PostgresControlsClaimTest {
    private static final int CONTROLS = 300;
    private final PostgresServer server = PostgresServer.shared();

    @Test
    void twoRunnersClaimingTheSameControlsTogetherGetEachOneExactlyOnce() throws Exception {
        String url = server.newDatabase("controls_claim");
        String db = url.substring(url.lastIndexOf('/') + 1);
        StoreSettings settings = StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (PostgresStateStore alpha = PostgresStateStore.open(settings, "host-a:/srv/a");
             PostgresStateStore beta = PostgresStateStore.open(settings, "host-b:/srv/b")) {
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < CONTROLS; i++) {
                seqs.add(alpha.controls().request("p" + (i % 7), "reset", Map.of(), "api@alpha"));
            }
            CountDownLatch go = new CountDownLatch(1);
            // alpha one at a time, beta a page at a time (the relay's claimAll), racing for the same rows
            CompletableFuture<List<Long>> byAlpha = claimAll(threads, go, alpha.controls(), "alpha", seqs, 1);
            CompletableFuture<List<Long>> byBeta = claimAll(threads, go, beta.controls(), "beta", seqs, 25);
            go.countDown();

            List<Long> won = new ArrayList<>(byAlpha.get());
            won.addAll(byBeta.get());
            assertEquals(CONTROLS, won.size(), "each control claimed by exactly one of the two");
            assertEquals(CONTROLS, won.stream().distinct().count(), "none claimed twice");
            assertEquals(Map.of("alpha", (long) byAlpha.get().size(), "beta", (long) byBeta.get().size())
                    .entrySet().stream().filter(e -> e.getValue() > 0)
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                    appliedBy(db), "the table names the one claimer of each");
        } finally {
            threads.shutdownNow();
        }
    }

    private static CompletableFuture<List<Long>> claimAll(ExecutorService threads, CountDownLatch go,
                                                          PostgresControls controls, String runner, List<Long> seqs,
                                                          int page) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            List<Long> won = new ArrayList<>();
            for (int i = 0; i < seqs.size(); i += page) {
                List<Long> some = seqs.subList(i, Math.min(seqs.size(), i + page));
                if (page == 1) {
                    if (controls.claim(some.get(0), runner)) {
                        won.add(some.get(0));
                    }
                } else {
                    won.addAll(controls.claimAll(some, runner));
                }
            }
            return won;
        }, threads);
    }

    private Map<String, Long> appliedBy(String db) throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = server.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT applied_by, count(*) FROM controls GROUP BY applied_by")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }
}
