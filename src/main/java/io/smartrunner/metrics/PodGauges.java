package io.smartrunner.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smartrunner.breaker.PodStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@code smartrunner_pod_sessions{pod}} (this runner's sessions in the pod, starting or running)
 * and {@code smartrunner_pod_slots{pod}} (how many may run here at once: the pod's concurrency, in
 * cluster mode within the slots this runner holds), from the supervisor loop's pod snapshot when
 * scraped: a pod whose sessions stay at its slots is the one that queues. A pod a reload removed
 * loses its gauges. The pod label goes through {@link LabelValues} like every other (pods whose
 * names it masks alike share one series, summed). Thread-safe (scrapes may overlap).
 */
final class PodGauges {
    static final String SESSIONS = "smartrunner.pod.sessions";
    static final String SLOTS = "smartrunner.pod.slots";

    private final MeterRegistry registry;
    private final LabelValues labels;
    private final Supplier<CompletableFuture<List<PodStatus>>> pods;
    private final Duration wait;
    private final Map<String, Pod> byName = new HashMap<>();

    /** The two gauges of one pod and the values they read. */
    private record Pod(AtomicInteger sessions, AtomicInteger slots, Gauge sessionsGauge, Gauge slotsGauge) {
    }

    PodGauges(MeterRegistry registry, LabelValues labels, Supplier<CompletableFuture<List<PodStatus>>> pods,
              Duration wait) {
        this.registry = registry;
        this.labels = labels;
        this.pods = pods;
        this.wait = wait;
    }

    /** Sets every pod's gauges from a fresh snapshot; keeps the last values when the loop does not answer within the wait. */
    synchronized void refresh() {
        List<PodStatus> now;
        try {
            now = pods.get().get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return; // ProfileGauges counts the timeouts of the same loop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Map<String, int[]> fresh = new HashMap<>(); // label -> {sessions, slots}
        for (PodStatus p : now) {
            int[] sum = fresh.computeIfAbsent(labels.name(p.pod()), k -> new int[2]);
            sum[0] += p.sessions();
            sum[1] += p.slots();
        }
        byName.entrySet().removeIf(e -> {
            if (fresh.containsKey(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue().sessionsGauge());
            registry.remove(e.getValue().slotsGauge());
            return true;
        });
        fresh.forEach((label, sum) -> {
            Pod pod = byName.computeIfAbsent(label, this::register);
            pod.sessions().set(sum[0]);
            pod.slots().set(sum[1]);
        });
    }

    private Pod register(String pod) {
        AtomicInteger sessions = new AtomicInteger();
        AtomicInteger slots = new AtomicInteger();
        Gauge s = Gauge.builder(SESSIONS, sessions, AtomicInteger::get)
                .description("This runner's sessions in the pod now (starting or running), read when scraped")
                .tag("pod", pod).register(registry);
        Gauge l = Gauge.builder(SLOTS, slots, AtomicInteger::get)
                .description("How many of the pod's sessions may run here at once: its concurrency (cluster mode:"
                        + " within the pod slots this runner holds)")
                .tag("pod", pod).register(registry);
        return new Pod(sessions, slots, s, l);
    }
}
