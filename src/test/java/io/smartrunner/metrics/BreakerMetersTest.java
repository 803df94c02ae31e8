package io.smartrunner.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.event.Events;
import io.smartrunner.event.Params;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The breaker's gauge and counter, the held pod's gauge and failures by class, from the events. */
class BreakerMetersTest {
    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");
    private final FleetMetrics metrics = new FleetMetrics(new ManualTimeSource(T), Set.of());
    private final Supplier<String> scrape = metrics.exposition(
            () -> CompletableFuture.completedFuture(List.<ProfileState>of()), Duration.ofMillis(50));

    private double value(String series) {
        return FleetMetricsTest.value(scrape.get(), series);
    }

    @Test
    void theBreakerGaugeFollowsItsEventsAndOpeningsAreCounted() {
        metrics.accept(List.of(Events.sessionStarted(T, "podA", "p1", "s1", "w")));
        assertEquals(0, value("smartrunner_breaker_open{pod=\"podA\"}"));
        assertEquals(0, value("smartrunner_breaker_openings_total{pod=\"podA\"}"));
        metrics.accept(List.of(Events.breakerOpened(T, "podA", 20, 10, 10, 0.5, 60_000, 3)));
        assertEquals(1, value("smartrunner_breaker_open{pod=\"podA\"}"));
        metrics.accept(List.of(Events.breakerClosed(T, "podA", 1000, 1),
                Events.breakerOpened(T, "podA", 20, 10, 10, 0.5, 60_000, 3)));
        assertEquals(1, value("smartrunner_breaker_open{pod=\"podA\"}"));
        assertEquals(2, value("smartrunner_breaker_openings_total{pod=\"podA\"}"));
        metrics.accept(List.of(Events.breakerClosed(T, "podA", 1000, 1)));
        assertEquals(0, value("smartrunner_breaker_open{pod=\"podA\"}"));
    }

    /** Reviewer O: a breaker the new runner restored open said 0 here until it closed. */
    @Test
    void aRecalledOpeningSetsTheGaugeAndCountsNothing() {
        metrics.recall(List.of(Events.breakerOpened(T, "podA", 20, 10, 10, 0.5, 60_000, 3),
                Events.breakerOpened(T, "podB", 20, 10, 10, 0.5, 60_000, 3), Events.breakerClosed(T, "podB", 1000, 1),
                Events.sessionFailed(T, "podA", "p1", "s1", Params.of(Events.params("reason", "exit", "class",
                        "profile")), 5L)), T);
        assertEquals(1, value("smartrunner_breaker_open{pod=\"podA\"}"));
        assertEquals(0, value("smartrunner_breaker_open{pod=\"podB\"}"), "closed again before the restart");
        assertEquals(0, value("smartrunner_breaker_openings_total{pod=\"podA\"}"), "the previous runner counted it");
        assertEquals(0, value("smartrunner_session_failures_by_class_total{class=\"profile\",pod=\"podA\"}"));
        metrics.accept(List.of(Events.breakerClosed(T, "podA", 1000, 1)));
        assertEquals(0, value("smartrunner_breaker_open{pod=\"podA\"}"));
    }

    @Test
    void heldPodsAndFailuresByClass() {
        metrics.accept(List.of(Events.podPaused(T, "podB", "config", "p1", "s1", 78, "runner"),
                Events.sessionFailed(T, "podB", "p1", "s1", Params.of(Events.params("reason", "exit", "class", "shared")), 5L),
                Events.sessionFailed(T, "podB", "p1", "s2", Params.of(Events.params("reason", "exit", "class", "profile")), 5L),
                Events.sessionFailed(T, "podB", "p1", "s3", Params.of(Events.params("reason", "exit", "class", "shared")), 5L)));
        assertEquals(1, value("smartrunner_pod_held{pod=\"podB\"}"));
        assertEquals(2, value("smartrunner_session_failures_by_class_total{class=\"shared\",pod=\"podB\"}"));
        assertEquals(1, value("smartrunner_session_failures_by_class_total{class=\"profile\",pod=\"podB\"}"));
        assertEquals(0, value("smartrunner_session_failures_by_class_total{class=\"infrastructure\",pod=\"podB\"}"));
        metrics.accept(List.of(Events.podUnpaused(T, "podB", 10, "reload")));
        assertEquals(0, value("smartrunner_pod_held{pod=\"podB\"}"));
    }
}
