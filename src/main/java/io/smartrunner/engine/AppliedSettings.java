package io.smartrunner.engine;

import io.smartrunner.config.PodConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.StoreSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The limits a reload applies at once, beside its profiles: pods added and removed, a pod's
 * concurrency, the runner's (not in cluster mode: RestartSettings). The answer and the
 * {@code reload} event name each one, so lowering a limit is not a reload that "changed nothing".
 */
final class AppliedSettings {
    private AppliedSettings() {
    }

    /** What differs between the configuration in force and the next one, as {@code pods[a].concurrency from 5 to 1}. */
    static List<String> differing(RunnerConfig inForce, RunnerConfig next) {
        List<String> out = new ArrayList<>();
        if (next.store().kind() != StoreSettings.Kind.POSTGRES
                && inForce.runner().globalConcurrency() != next.runner().globalConcurrency()) {
            out.add("runner.globalConcurrency from " + inForce.runner().globalConcurrency() + " to "
                    + next.runner().globalConcurrency());
        }
        Map<String, PodConfig> before = byName(inForce);
        Map<String, PodConfig> after = byName(next);
        before.keySet().stream().filter(name -> !after.containsKey(name)).forEach(name -> out.add("pods[" + name + "] removed"));
        after.forEach((name, pod) -> {
            PodConfig was = before.get(name);
            if (was == null) {
                out.add("pods[" + name + "] added");
            } else if (was.concurrency() != pod.concurrency()) {
                out.add("pods[" + name + "].concurrency from " + was.concurrency() + " to " + pod.concurrency());
            }
        });
        return out;
    }

    private static Map<String, PodConfig> byName(RunnerConfig config) {
        return config.pods().stream().collect(Collectors.toMap(PodConfig::name, Function.identity(), (a, b) -> a,
                java.util.LinkedHashMap::new));
    }
}
