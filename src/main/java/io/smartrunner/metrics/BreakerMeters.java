package io.smartrunner.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.BreakerClosed;
import io.smartrunner.event.EventRecord.BreakerOpened;
import io.smartrunner.event.EventRecord.PodPaused;
import io.smartrunner.event.EventRecord.PodUnpaused;
import io.smartrunner.event.EventRecord.SessionFailed;
import io.smartrunner.profile.FailureClass;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Whom failures are blamed on (DESIGN §2b), from the events: {@code smartrunner_breaker_open{pod}}
 * (1 while the pod's breaker is open), {@code smartrunner_breaker_openings_total{pod}},
 * {@code smartrunner_pod_held{pod}} and {@code smartrunner_session_failures_by_class_total{pod,class}}.
 */
final class BreakerMeters {
    static final String OPEN = "smartrunner.breaker.open";
    static final String OPENINGS = "smartrunner.breaker.openings";
    static final String HELD = "smartrunner.pod.held";
    static final String BY_CLASS = "smartrunner.session.failures.by.class";
    static final Set<String> CLASSES = Arrays.stream(FailureClass.values()).map(FailureClass::wireName)
            .collect(Collectors.toUnmodifiableSet());

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> held = new ConcurrentHashMap<>();

    BreakerMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Every series of a pod exists from its first event. */
    void pod(String pod) {
        openState(pod);
        heldState(pod);
        openings(pod);
        CLASSES.forEach(c -> byClass(pod, c));
    }

    void count(String pod, EventRecord e) {
        if (e instanceof BreakerOpened) {
            openState(pod).set(1);
            openings(pod).increment();
        } else if (e instanceof BreakerClosed) {
            openState(pod).set(0);
        } else if (e instanceof PodPaused) {
            heldState(pod).set(1);
        } else if (e instanceof PodUnpaused) {
            heldState(pod).set(0);
        } else if (e instanceof SessionFailed f) {
            byClass(pod, LabelValues.oneOf(f.param(EventParams.FAILURE_CLASS), CLASSES)).increment();
        }
    }

    /**
     * A recalled event: the breaker's gauge as the engine restores it (open when the pod's last
     * breaker event is {@code breaker-open}); openings are not counted again. A hold does not
     * outlive its runner, so it is not recalled.
     */
    void recall(String pod, EventRecord e) {
        if (e instanceof BreakerOpened) {
            openState(pod).set(1);
        } else if (e instanceof BreakerClosed) {
            openState(pod).set(0);
        }
    }

    private AtomicInteger openState(String pod) {
        return open.computeIfAbsent(pod, p -> gauge(OPEN, "1 while the pod's fleet breaker is open", p));
    }

    private AtomicInteger heldState(String pod) {
        return held.computeIfAbsent(pod, p -> gauge(HELD, "1 while no session may start in the pod (exit code"
                + " mapped to config)", p));
    }

    private AtomicInteger gauge(String name, String help, String pod) {
        AtomicInteger value = new AtomicInteger();
        Gauge.builder(name, value, AtomicInteger::get).description(help).tag("pod", pod).register(registry);
        return value;
    }

    private Counter openings(String pod) {
        return Counter.builder(OPENINGS).description("Times the pod's fleet breaker opened").tag("pod", pod)
                .register(registry);
    }

    private Counter byClass(String pod, String failureClass) {
        return Counter.builder(BY_CLASS).description("Failed sessions by whom they are blamed on: profile (counts"
                + " towards the streak), infrastructure or shared (the breaker was open)").tags("pod", pod, "class",
                failureClass).register(registry);
    }
}
