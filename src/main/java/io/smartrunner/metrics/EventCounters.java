package io.smartrunner.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.InternalFault;
import io.smartrunner.event.EventRecord.ProfilePaused;
import io.smartrunner.event.EventRecord.ProfileUnpaused;
import io.smartrunner.event.EventRecord.RecoveryAttempted;
import io.smartrunner.event.EventRecord.RecoveryExhausted;
import io.smartrunner.event.EventRecord.RunRequested;
import io.smartrunner.event.EventRecord.RunnerWide;
import io.smartrunner.event.EventRecord.SessionFailed;
import io.smartrunner.event.EventRecord.SessionFinished;
import io.smartrunner.event.EventRecord.SessionStarted;
import io.smartrunner.event.EventRecord.StreakReset;
import io.smartrunner.event.Events;
import io.smartrunner.profile.FailureReason;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The event → meter mapping: session, recovery and pause counters and the duration histograms.
 * Names are Micrometer's dotted form; the Prometheus registry writes them with underscores,
 * {@code _total} on counters and {@code _seconds} on timers.
 */
final class EventCounters {
    static final String STARTED = "smartrunner.sessions.started";
    static final String FINISHED = "smartrunner.sessions.finished";
    static final String FAILED = "smartrunner.sessions.failed";
    static final String SESSION_DURATION = "smartrunner.session.duration";
    static final String RECOVERY_ATTEMPTS = "smartrunner.recovery.attempts";
    static final String STEP_DURATION = "smartrunner.recovery.step.duration";
    static final String EXHAUSTED = "smartrunner.recovery.exhausted";
    static final String PAUSES = "smartrunner.pauses";
    static final String UNPAUSES = "smartrunner.unpauses";
    static final String MANUAL = "smartrunner.manual.requests";
    static final String FORGIVEN = "smartrunner.streaks.forgiven";
    static final String INTERNAL_ERRORS = "smartrunner.internal.errors";

    static final Set<String> REASONS = Arrays.stream(FailureReason.values()).map(FailureReason::wireName)
            .collect(Collectors.toUnmodifiableSet());
    static final Set<String> ATTEMPT_OUTCOMES = Set.of("ok", "failed", "unhealthy");
    /** Who pauses: the runner's rules, the API, the CLI. */
    static final Set<String> BY = Set.of("runner", "api", "cli", "breaker", "pod-recovered");
    static final Set<String> LOOP_WORK = Set.copyOf(Events.LOOP_WORK);

    /** Sessions run from seconds to the 10-minute default timeout and beyond. */
    private static final Duration[] SESSION_BUCKETS = seconds(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600);
    /** Steps are bounded by stepTimeoutMs, 60 s by default. */
    private static final Duration[] STEP_BUCKETS = seconds(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);

    private final MeterRegistry registry;
    private final LabelValues labels;
    private final Timer sessionsOk;
    private final Timer sessionsFailed;
    private final Map<String, Timer> stepDurations = new ConcurrentHashMap<>();
    /** By name and tags (bounded as the label values are, see {@link LabelValues}). */
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Set<String> podsSeen = ConcurrentHashMap.newKeySet();
    private final BreakerMeters breakers;

    EventCounters(MeterRegistry registry, LabelValues labels) {
        this.registry = registry;
        this.labels = labels;
        this.sessionsOk = sessionTimer("ok");
        this.sessionsFailed = sessionTimer("error");
        this.breakers = new BreakerMeters(registry);
    }

    void count(EventRecord e) {
        if (e instanceof InternalFault ie) { // the runner's, not a pod's: no pod label
            counter(INTERNAL_ERRORS, "Unexpected exceptions the engine loop contained, by what it was handling",
                    "while", LabelValues.oneOf(ie.work(), LOOP_WORK)).increment();
            return;
        }
        if (e instanceof RunnerWide) {
            return; // the runner's own (admission control, reloads): its gauges are watched, not counted from events
        }
        String pod = labels.name(e.pod());
        if (podsSeen.add(pod)) {
            zeroes(pod);
            breakers.pod(pod);
        }
        breakers.count(pod, e);
        if (e instanceof SessionStarted) {
            counter(STARTED, "Sessions started", "pod", pod).increment();
        } else if (e instanceof SessionFinished f) {
            counter(FINISHED, "Sessions that exited 0", "pod", pod).increment();
            record(sessionsOk, f.durMs());
        } else if (e instanceof SessionFailed f) {
            failed(pod, LabelValues.oneOf(f.reason(), REASONS)).increment();
            record(sessionsFailed, f.durMs());
        } else if (e instanceof RecoveryExhausted) {
            exhausted(pod).increment();
        } else if (e instanceof RecoveryAttempted a) {
            attempted(a);
        } else if (e instanceof ProfilePaused p) {
            counter(PAUSES, "Profiles paused, by the runner's rules or by hand", "pod", pod,
                    "by", LabelValues.oneOf(p.by(), BY)).increment();
        } else if (e instanceof ProfileUnpaused u) {
            counter(UNPAUSES, "Pauses ended, when their time came or by hand", "pod", pod,
                    "by", LabelValues.oneOf(u.by(), BY)).increment();
        } else if (e instanceof StreakReset r && Events.BY_BREAKER.equals(r.by())) {
            // the breaker's take-back is no request by hand (reviewer O: counted as one, by="breaker")
            counter(FORGIVEN, "Error streaks the pod's breaker took back when it opened: the failures were the"
                    + " outage's", "pod", pod).increment();
        } else if (e instanceof StreakReset r) {
            manual("reset", r.by());
        } else if (e instanceof RunRequested r) {
            manual("run", r.by());
        }
    }

    /** A recalled event (start-up): the gauges it set are set again, nothing is counted. */
    void recall(EventRecord e) {
        if (e.pod() == null || e instanceof RunnerWide) {
            return;
        }
        String pod = labels.name(e.pod());
        if (podsSeen.add(pod)) {
            zeroes(pod);
            breakers.pod(pod);
        }
        breakers.recall(pod, e);
    }

    private void manual(String action, String by) {
        counter(MANUAL, "Streak resets and run-now requests by hand", "action", action,
                "by", LabelValues.oneOf(by, BY)).increment();
    }

    private void attempted(RecoveryAttempted a) {
        String step = labels.name(a.action());
        String outcome = a.result() == null ? null : a.result().name().toLowerCase(Locale.ROOT);
        counter(RECOVERY_ATTEMPTS, "Recovery step attempts by step name and outcome", "step", step,
                "outcome", LabelValues.oneOf(outcome, ATTEMPT_OUTCOMES)).increment();
        record(stepDurations.computeIfAbsent(step, s -> Timer.builder(STEP_DURATION)
                .description("Time of one recovery step attempt, its verification included")
                .tag("step", s).serviceLevelObjectives(STEP_BUCKETS).register(registry)), a.durMs());
    }

    /** Every series of a pod exists from its first event, so rate() and absent() work from the start. */
    private void zeroes(String pod) {
        counter(STARTED, "Sessions started", "pod", pod);
        counter(FINISHED, "Sessions that exited 0", "pod", pod);
        REASONS.forEach(reason -> failed(pod, reason));
        exhausted(pod);
    }

    private Counter failed(String pod, String reason) {
        return counter(FAILED, "Failed sessions by reason (shutdown: stopped by the runner itself, not counted in streaks)",
                "pod", pod, "reason", reason);
    }

    private Counter exhausted(String pod) {
        return counter(EXHAUSTED, "Recovery episodes that used every step without a healthy verification", "pod", pod);
    }

    private Counter counter(String name, String help, String... tags) {
        String[] key = new String[tags.length + 1];
        key[0] = name;
        System.arraycopy(tags, 0, key, 1, tags.length);
        // the registry would find it too, after building its id (tags sorted, a builder): per event
        return counters.computeIfAbsent(Arrays.asList(key),
                k -> Counter.builder(name).description(help).tags(tags).register(registry));
    }

    private Timer sessionTimer(String outcome) {
        return Timer.builder(SESSION_DURATION).description("Session run time by outcome (ok or error)")
                .tag("outcome", outcome).serviceLevelObjectives(SESSION_BUCKETS).register(registry);
    }

    private static void record(Timer timer, Long durMs) {
        if (durMs != null && durMs >= 0) {
            timer.record(Duration.ofMillis(durMs));
        }
    }

    static Duration[] seconds(double... values) {
        return Arrays.stream(values).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new);
    }
}
