package io.smartrunner.breaker;

import io.smartrunner.config.BreakerSettings;
import io.smartrunner.config.PodConfig;
import io.smartrunner.config.RunnerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The pods whose breaker can never open: fewer profiles than its {@code minProfiles}. A shared
 * outage there counts against each profile (the pause cap still limits the pauses), and the start
 * says so instead of leaving it to be found out after an outage. Opening such a pod's breaker when
 * all its profiles fail was tried (session 35) and dropped: in a pod of 2 to 4, one broken profile
 * beside a flaky one looks like an outage by these figures (docs/failure-classes.md).
 */
public final class PodsWithoutBreaker {
    private PodsWithoutBreaker() {
    }

    /** One line naming them, or null when every pod with a breaker can open it. */
    public static String notice(RunnerConfig cfg) {
        List<String> small = new ArrayList<>();
        for (PodConfig pod : cfg.pods()) {
            BreakerSettings b = cfg.breakerOf(pod.name());
            if (b.enabled() && pod.profiles().size() < b.minProfiles()) {
                small.add(pod.name() + " (" + pod.profiles().size() + " < " + b.minProfiles() + ")");
            }
        }
        if (small.isEmpty()) {
            return null;
        }
        return "pod(s) " + String.join(", ", small) + " have fewer profiles than breaker.minProfiles"
                + ": their breaker cannot open, so a shared outage"
                + " there counts against each profile (breaker.maxPausedShare still caps the pauses;"
                + " docs/failure-classes.md)";
    }
}
