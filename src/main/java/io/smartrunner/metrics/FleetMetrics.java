package io.smartrunner.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.smartrunner.breaker.PodStatus;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventSink;
import io.smartrunner.event.RecallsRecentEvents;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The runner's Prometheus metrics (Micrometer): counters and histograms fed by the events that
 * reached the log (subscribe it to the {@code EventFanout}), the time of each event-log append
 * ({@link #timed}), and profile gauges counted when scraped ({@link #exposition}). Label values
 * come only from bounded sets (pod and step names, failure reasons, outcomes): never a profile
 * id, never free text, so no secret can reach a metric. Thread-safe.
 */
public final class FleetMetrics implements Consumer<List<EventRecord>>, RecallsRecentEvents {
    /** How long a scrape waits for the supervisor loop's profile snapshot before it serves the last counts. */
    public static final Duration DEFAULT_PROFILES_WAIT = Duration.ofSeconds(1);
    /** Sources of the cluster meters, held strongly here (the registry holds them weakly). */
    private final List<Object> keptForMeters = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final PrometheusMeterRegistry registry;
    private final EventCounters counters;
    private final LabelValues labels;
    private final TimeSource time;

    /** @param secretValues values that came from {@code ${env:NAME}}: a label value containing one is masked */
    /** Suppliers the registry holds only weakly, kept alive for the runner's life. */
    private final List<LongSupplier> heldSuppliers = new java.util.concurrent.CopyOnWriteArrayList<>();

    public FleetMetrics(TimeSource time, Set<String> secretValues) {
        this.time = time;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock(time));
        this.labels = new LabelValues(secretValues);
        this.counters = new EventCounters(registry, labels);
    }

    /** Counts a batch of written events. Called on the supervisor loop: only counter increments, no I/O, no locks held for long. */
    @Override
    public void accept(List<EventRecord> written) {
        for (EventRecord e : written) {
            counters.count(e);
        }
    }

    /**
     * At start-up, the log's recent events: a breaker the engine restored open is open here too
     * (its gauge followed only new events, and said 0 until the breaker closed). Nothing is counted.
     */
    @Override
    public void recall(List<EventRecord> oldestFirst, Instant now) {
        for (EventRecord e : oldestFirst) {
            counters.recall(e);
        }
    }

    /**
     * Exports the webhook sender's counts: {@code smartrunner_alerts_delivered_total},
     * {@code _failed_attempts_total}, {@code _given_up_total}, {@code _dropped_total} and the gauge
     * {@code smartrunner_alerts_queued}. Nothing is registered when alerts are off.
     */
    public void watch(io.smartrunner.alert.WebhookAlerts alerts) {
        if (alerts.stats() == null) {
            return;
        }
        io.micrometer.core.instrument.FunctionCounter.builder("smartrunner.alerts.delivered", alerts,
                a -> a.stats().delivered()).description("Alerts delivered (one per alert and webhook)").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("smartrunner.alerts.failed.attempts", alerts,
                a -> a.stats().failedAttempts()).description("Webhook attempts that failed (retried or not)").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("smartrunner.alerts.given.up", alerts,
                a -> a.stats().givenUp()).description("Deliveries abandoned: a final answer, retries used up, or stopping")
                .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("smartrunner.alerts.dropped", alerts,
                a -> a.stats().dropped()).description("Alerts dropped because the queue was full").register(registry);
        io.micrometer.core.instrument.Gauge.builder("smartrunner.alerts.queued", alerts, a -> a.stats().waiting())
                .description("Alerts waiting to be sent").register(registry);
    }

    /**
     * The gauges {@code smartrunner_live} and {@code smartrunner_ready} (1 or 0), the same answers
     * as {@code /healthz} and {@code /readyz}.
     */
    public void watch(io.smartrunner.health.RunnerHealth health) {
        io.micrometer.core.instrument.Gauge.builder("smartrunner.live", health, h -> h.liveness().ok() ? 1 : 0)
                .description("1 when the engine loop turned within http.livenessTimeoutMs (as /healthz)")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("smartrunner.ready", health, h -> h.readiness().ok() ? 1 : 0)
                .description("1 when started, alive, able to make decisions durable and not stopping (as /readyz)")
                .register(registry);
    }

    /**
     * Admission control: the gauge {@code smartrunner_admission_held} (1 while new sessions wait for
     * the host's memory or load) and the counter {@code smartrunner_admission_delayed_total}.
     */
    public void watch(io.smartrunner.admission.AdmissionView admission) {
        io.micrometer.core.instrument.Gauge.builder("smartrunner.admission.held", admission, a -> a.held() ? 1 : 0)
                .description("1 while new sessions are held back: free memory under runner.minFreeMemoryMb"
                        + " or load per core over runner.maxLoadPerCore").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("smartrunner.admission.delayed", admission,
                a -> a.delayedTotal()).description("Session starts held back by admission control"
                        + " (once per profile and episode of pressure)").register(registry);
    }

    /**
     * Cluster mode: {@code smartrunner_stale_writes_total}, writes about a profile the database
     * refused because another runner had taken its lease (a higher epoch).
     */
    public void watchStaleWrites(LongSupplier count) {
        keptForMeters.add(count); // meters hold their source weakly: a lambda only they know would be collected
        io.micrometer.core.instrument.FunctionCounter.builder("smartrunner.stale.writes", count, c -> c.getAsLong())
                .description("Writes refused because another runner holds the profile's lease").register(registry);
    }

    /** Cluster mode: the gauge {@code smartrunner_leases_held}, profile leases this runner holds now. */
    public void watchLeasesHeld(java.util.function.IntSupplier held) {
        keptForMeters.add(held);
        io.micrometer.core.instrument.Gauge.builder("smartrunner.leases.held", held, h -> h.getAsInt())
                .description("Profile leases this runner holds").register(registry);
    }

    /**
     * Exports {@code smartrunner_event_log_malformed_lines}: lines of the event log's history
     * (read at start-up) that were not events and were skipped.
     */
    public void watchMalformedLines(LongSupplier count) {
        io.micrometer.core.instrument.Gauge.builder("smartrunner.event.log.malformed.lines", count,
                c -> c.getAsLong()).description("Event log lines skipped because they are not events")
                // held strongly: Micrometer holds the object weakly, and a method reference is referenced by nothing
                // else, so after a GC the gauge read NaN (seen in MalformedLinesE2ETest)
                .strongReference(true).register(registry);
    }

    /**
     * Cluster mode: exports {@code smartrunner_fleet_events_stale_rejected_total} (events PostgreSQL
     * refused: a session's second end, or an epoch this runner never held the profile's lease at) and
     * {@code smartrunner_fleet_events_not_sent_total} (events kept in the local log only: too many
     * waited for the database).
     */
    public void watchFleetEvents(LongSupplier staleRejected, LongSupplier notSent) {
        heldSuppliers.add(staleRejected); // a FunctionCounter holds its object weakly (see watchMalformedLines)
        heldSuppliers.add(notSent);
        io.micrometer.core.instrument.FunctionCounter.builder("smartrunner.fleet.events.stale.rejected", staleRejected,
                c -> c.getAsLong())
                .description("Events refused by PostgreSQL (a session's second end, or a lease epoch never held)")
                .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("smartrunner.fleet.events.not.sent", notSent,
                c -> c.getAsLong()).description("Events not sent to PostgreSQL (too many waiting); in the local log only")
                .register(registry);
    }

    /** The sink, with each append timed into {@code smartrunner_event_log_write_seconds}. */
    public EventSink timed(EventSink sink) {
        return new TimedEventSink(sink, registry, time);
    }

    /** {@link #exposition(Supplier, Duration)} with {@link #DEFAULT_PROFILES_WAIT}. */
    public Supplier<String> exposition(Supplier<CompletableFuture<List<ProfileState>>> profiles) {
        return exposition(profiles, DEFAULT_PROFILES_WAIT);
    }

    /**
     * Registers the profile gauges and returns what {@code GET /metrics} serves: each call of the
     * supplier asks {@code profiles} for a snapshot (waiting at most {@code wait}; the last counts
     * stay when it does not come), then writes every metric in the Prometheus text format 0.0.4.
     * Call once.
     */
    public Supplier<String> exposition(Supplier<CompletableFuture<List<ProfileState>>> profiles, Duration wait) {
        return exposition(profiles, null, wait);
    }

    /**
     * {@link #exposition(Supplier, Duration)} with the pod gauges too ({@link PodGauges}), from
     * {@code pods} (asked the same way); null: none.
     */
    public Supplier<String> exposition(Supplier<CompletableFuture<List<ProfileState>>> profiles,
                                       Supplier<CompletableFuture<List<PodStatus>>> pods, Duration wait) {
        ProfileGauges gauges = new ProfileGauges(registry, profiles, wait);
        PodGauges podGauges = pods == null ? null : new PodGauges(registry, labels, pods, wait);
        return () -> {
            // a loop that did not answer the first ask is not asked again: one wait per scrape
            if (gauges.refresh() && podGauges != null) {
                podGauges.refresh();
            }
            return registry.scrape();
        };
    }

    /** Micrometer's clock (time-window maxima) reads the runner's one time source too. */
    private static Clock clock(TimeSource time) {
        return new Clock() {
            @Override
            public long wallTime() {
                return time.now().toEpochMilli();
            }

            @Override
            public long monotonicTime() {
                return time.nanoTime();
            }
        };
    }
}
