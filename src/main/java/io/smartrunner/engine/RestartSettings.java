package io.smartrunner.engine;

import io.smartrunner.config.PodConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.StoreSettings;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        boolean clustered = next.store().kind() == StoreSettings.Kind.POSTGRES;
        Map<String, Object[]> blocks = new java.util.LinkedHashMap<>();
        blocks.put("runner", new Object[] {started.runner(), next.runner()});
        blocks.put("recovery", new Object[] {started.recovery(), next.recovery()});
        blocks.put("browser", new Object[] {started.browser(), next.browser()});
        blocks.put("http", new Object[] {started.http(), next.http()});
        blocks.put("alerts", new Object[] {started.alerts(), next.alerts()});
        blocks.put("store", new Object[] {started.store(), next.store()});
        blocks.put("cluster", new Object[] {started.cluster(), next.cluster()});
        blocks.put("breaker", new Object[] {started.breaker(), next.breaker()});
        blocks.forEach((name, pair) -> {
            for (String path : differing(name, pair[0], pair[1])) {
                // in a fleet the capacity is announced when the runner joins: that one waits for a restart
                if (clustered || !path.equals("runner." + APPLIED_AT_RELOAD)) {
                    out.add(path);
                }
            }
        });
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
