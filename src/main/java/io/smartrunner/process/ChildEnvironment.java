package io.smartrunner.process;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runner's environment as its children may see it. A child gets the variables its
 * {@link EnvInheritance} allows, then its launch spec's own (SR_*, {@code session.env}) on top.
 * A variable whose value the config substituted for {@code ${env:NAME}} (a token, an API key, a
 * webhook URL) is withheld from every child, base and {@code inheritEnv: true} included, unless
 * the user named it explicitly. Immutable, thread-safe.
 */
public final class ChildEnvironment {
    /** Distinct inheritances kept; a config has a handful (one per inheritEnv setting). */
    private static final int INHERITED_KEPT = 64;
    private final Map<String, String> runner;
    private final Set<String> secretValues;
    /** What each inheritance takes from the runner: the same at every launch, filtered once. */
    private final Map<EnvInheritance, Map<String, String>> inherited = new ConcurrentHashMap<>();

    private ChildEnvironment(Map<String, String> runner, Set<String> secretValues) {
        this.runner = Map.copyOf(runner);
        this.secretValues = Set.copyOf(secretValues);
    }

    /**
     * @param runnerEnv    the runner's own environment, usually {@code System.getenv()}
     * @param secretValues the values substituted for {@code ${env:NAME}} in the config
     */
    public static ChildEnvironment of(Map<String, String> runnerEnv, Set<String> secretValues) {
        return new ChildEnvironment(runnerEnv, secretValues);
    }

    /** This process's environment, with no config secrets known. */
    public static ChildEnvironment ofThisProcess() {
        return of(System.getenv(), Set.of());
    }

    /** The complete environment of a child. */
    Map<String, String> build(EnvInheritance inherit, Map<String, String> own) {
        Map<String, String> taken = inherited.get(inherit);
        if (taken == null) {
            if (inherited.size() >= INHERITED_KEPT) {
                inherited.clear();
            }
            taken = inherited.computeIfAbsent(inherit, this::take);
        }
        Map<String, String> env = new HashMap<>(taken);
        env.putAll(own);
        return env;
    }

    private Map<String, String> take(EnvInheritance inherit) {
        Map<String, String> env = new HashMap<>();
        runner.forEach((name, value) -> {
            boolean wanted = inherit.explicit().contains(name)
                    || (!secretValues.contains(value) && (inherit.all() || inherit.inBase(name)));
            if (wanted) {
                env.put(name, value);
            }
        });
        return Map.copyOf(env);
    }
}
