package io.smartrunner.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.smartrunner.admission.AdmissionGate;
import io.smartrunner.admission.HostReading;
import io.smartrunner.event.Events;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** smartrunner_admission_held and smartrunner_admission_delayed_total follow the gate; its events add no pod. */
class AdmissionMetricsTest {
    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void theGaugeAndCounterFollowTheGateAndItsEventsCountAgainstNoPod() {
        FleetMetrics metrics = new FleetMetrics(new ManualTimeSource(T), Set.of());
        Supplier<String> scrape = metrics.exposition(() -> CompletableFuture.completedFuture(List.<ProfileState>of()),
                Duration.ofMillis(50));
        HostReading[] reading = {new HostReading(10, 0)};
        AdmissionGate gate = new AdmissionGate(() -> reading[0], 256, 0);
        metrics.watch(gate);
        assertEquals(0, FleetMetricsTest.value(scrape.get(), "smartrunner_admission_held"));

        metrics.accept(List.of(gate.look(true, 0, T)));
        gate.delayed(List.of("p1", "p2"));
        String held = scrape.get();
        assertEquals(1, FleetMetricsTest.value(held, "smartrunner_admission_held"));
        assertEquals(2, FleetMetricsTest.value(held, "smartrunner_admission_delayed_total"));

        reading[0] = new HostReading(4096, 0);
        metrics.accept(List.of(gate.look(true, 2_000_000_000L, T.plusSeconds(2)), Events.pressureEnd(T, 1, 0)));
        String after = scrape.get();
        assertEquals(0, FleetMetricsTest.value(after, "smartrunner_admission_held"));
        assertEquals(2, FleetMetricsTest.value(after, "smartrunner_admission_delayed_total"));
        assertFalse(after.contains("pod=\"other\""), "runner events make no pod series");
    }
}
