package io.smartrunner.engine;

import io.smartrunner.config.PodConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.StoreSettings;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The settings a reload cannot apply: the runner-wide blocks are read once, at start. A reload
 * names each one that differs from what the runner started with ({@code runner.eventLogKeep}), so
 * the operator knows what a restart would change; it used to say only "the runner, recovery,
 * browser, http or alerts blocks", also for a change it had applied at once.
 */
final class RestartSettings {
    /** The runner's limit is the start queue's, filed again at each reload (StartPass#configure). */
    private static final String APPLIED_AT_RELOAD = "globalConcurrency";

    private RestartSettings() {
    }

    /** JSON paths of the restart-only settings that differ between {@code started} and {@code next}. */
    static List<String> differing(RunnerConfig started, RunnerConfig next) {
        List<String> out = new ArrayList<>();
        out.addAll(differing("runner", started.runner(), next.runner()));
        out.addAll(differing("recovery", started.recovery(), next.recovery()));
        out.addAll(differing("browser", started.browser(), next.browser()));
        out.addAll(differing("http", started.http(), next.http()));
        out.addAll(differing("alerts", started.alerts(), next.alerts()));
        out.addAll(differing("store", started.store(), next.store()));
        out.addAll(differing("cluster", started.cluster(), next.cluster()));
        out.addAll(differing("breaker", started.breaker(), next.breaker()));
        // in a fleet the capacity is announced when the runner joins: only there does it wait for a restart
        if (next.store().kind() != StoreSettings.Kind.POSTGRES) {
            out.remove("runner." + APPLIED_AT_RELOAD);
        }
        if (next.breaker().equals(started.breaker())) { // else "breaker.…" says it for every pod
            for (PodConfig pod : next.pods()) {
                if (!next.breakerOf(pod.name()).equals(started.breakerOf(pod.name()))) {
                    out.add("pods[" + pod.name() + "].breaker");
                }
            }
        }
        return out;
    }

    /** {@code block.field} for each record component of the two values that differs; the block when not a record. */
    private static List<String> differing(String block, Object a, Object b) {
        if (Objects.equals(a, b)) {
            return List.of();
        }
        if (a == null || b == null || !a.getClass().isRecord() || a.getClass() != b.getClass()) {
            return List.of(block);
        }
        List<String> out = new ArrayList<>();
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            try {
                if (!Objects.equals(c.getAccessor().invoke(a), c.getAccessor().invoke(b))) {
                    out.add(block + "." + c.getName());
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(c + ": " + e.getMessage(), e);
            }
        }
        return out.isEmpty() ? List.of(block) : out;
    }
}
