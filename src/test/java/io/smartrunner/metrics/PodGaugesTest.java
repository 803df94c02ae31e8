package io.smartrunner.metrics;

import static io.smartrunner.metrics.FleetMetricsTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.smartrunner.breaker.PodStatus;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** smartrunner_pod_sessions / _slots: the loop's pod snapshot, read at each scrape. */
class PodGaugesTest {
    private static final String SECRET = "sk-live-0123456789";
    private final FleetMetrics metrics = new FleetMetrics(new ManualTimeSource(Instant.parse("2025-01-01T00:00:00Z")),
            Set.of(SECRET));
    private final AtomicReference<CompletableFuture<List<PodStatus>>> pods = new AtomicReference<>();
    private final Supplier<String> scrape = metrics.exposition(
            () -> CompletableFuture.completedFuture(List.<ProfileState>of()), pods::get, Duration.ofMillis(50));

    private static PodStatus pod(String name, int sessions, int slots) {
        return new PodStatus(name, "closed", null, 0, 0, 0, false, null, sessions, slots);
    }

    private void snapshot(PodStatus... now) {
        pods.set(CompletableFuture.completedFuture(List.of(now)));
    }

    @Test
    void eachPodSaysItsSessionsAndSlotsAsTheLoopSeesThemWhenScraped() {
        snapshot(pod("podA", 3, 3), pod("podB", 1, 40));
        String text = scrape.get();
        assertEquals(3, value(text, "smartrunner_pod_sessions{pod=\"podA\"}"));
        assertEquals(3, value(text, "smartrunner_pod_slots{pod=\"podA\"}"));
        assertEquals(1, value(text, "smartrunner_pod_sessions{pod=\"podB\"}"));
        assertEquals(40, value(text, "smartrunner_pod_slots{pod=\"podB\"}"));

        snapshot(pod("podA", 2, 3), pod("podB", 0, 40));
        text = scrape.get();
        assertEquals(2, value(text, "smartrunner_pod_sessions{pod=\"podA\"}"));
        assertEquals(0, value(text, "smartrunner_pod_sessions{pod=\"podB\"}"));
    }

    @Test
    void aPodARemovedLosesItsSeriesAndANewOneGetsThem() {
        snapshot(pod("podA", 1, 2), pod("podB", 1, 2));
        scrape.get();
        snapshot(pod("podA", 1, 2), pod("podC", 2, 5));
        String text = scrape.get();
        assertFalse(text.contains("pod=\"podB\""), text);
        assertEquals(5, value(text, "smartrunner_pod_slots{pod=\"podC\"}"));
    }

    @Test
    void aLoopThatDoesNotAnswerLeavesTheLastValues() {
        snapshot(pod("podA", 2, 4));
        scrape.get();
        pods.set(new CompletableFuture<>()); // never answered

        String text = scrape.get();
        assertEquals(2, value(text, "smartrunner_pod_sessions{pod=\"podA\"}"));
    }

    @Test
    void aPodNamedWithASecretIsRedactedLikeEveryOtherLabel() {
        snapshot(pod("pod-" + SECRET, 1, 2));
        String text = scrape.get();
        assertFalse(text.contains(SECRET), text);
        assertEquals(1, value(text, "smartrunner_pod_sessions{pod=\"redacted\"}"));
    }
}
