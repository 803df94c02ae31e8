package io.smartrunner.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.store.PostgresControls;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.testkit.PostgresServer;
import io.smartrunner.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Controls recorded together, and the shared wait for relayed controls' results, over a real {@code controls} table. */
class AppliedWaitsTest {
    @Test
    void eachWaiterHearsItsOwnResultAndOneNobodyAppliedHearsNullOnlyAtItsDeadline() throws Exception {
        String url = PostgresServer.shared().newDatabase("applied_waits");
        ManualTimeSource time = new ManualTimeSource(Instant.parse("2026-12-05T00:00:00Z"));
        try (PostgresStateStore store = PostgresStateStore.open(
                StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/srv/a");
             AppliedWaits waits = new AppliedWaits(store.controls(), time)) {
            PostgresControls controls = store.controls();
            // two recorded together (a pod's relay), one alone: each with its own seq, as asked
            Map<String, Long> together = controls.requestAll(java.util.List.of(
                    new PostgresControls.Asked("p1", "reset", Map.of(), "api@alpha"),
                    new PostgresControls.Asked("p2", "pause", Map.of("durationMs", 60_000, "reason", "site down"), "api@alpha")));
            long first = together.get("p1");
            long second = together.get("p2");
            long never = controls.request("p3", "reset", Map.of(), "api@alpha");
            assertEquals(java.util.List.of("p1 reset {} api@alpha", "p2 pause {durationMs=60000, reason=site down} api@alpha",
                    "p3 reset {} api@alpha"), controls.pending(0).stream()
                    .map(c -> c.profileId() + " " + c.action() + " " + new java.util.TreeMap<>(c.args()) + " " + c.requestedBy()).toList());
            assertEquals(java.util.List.of(first, second, never), controls.pending(0).stream().map(PostgresControls.Control::seq).toList());
            CompletableFuture<PostgresControls.Applied> a = waits.await(first, 3_000);
            CompletableFuture<PostgresControls.Applied> b = waits.await(second, 3_000);
            CompletableFuture<PostgresControls.Applied> c = waits.await(never, 3_000);

            controls.claim(second, "beta");
            controls.finish(second, "refused: p2 is running");
            assertEquals(new PostgresControls.Applied("beta", "refused: p2 is running"), b.get(10, TimeUnit.SECONDS));
            controls.claim(first, "beta");
            controls.finish(first, "done");
            assertEquals(new PostgresControls.Applied("beta", "done"), a.get(10, TimeUnit.SECONDS));

            assertFalse(c.isDone(), "not before its deadline, on the injected clock");
            time.advance(Duration.ofMillis(3_000));
            assertNull(c.get(10, TimeUnit.SECONDS), "nobody applied it: null, and it stays queued");
        }
    }
}
