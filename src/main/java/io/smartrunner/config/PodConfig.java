package io.smartrunner.config;

import java.util.List;

/**
 * A group of profiles, usually one machine or one profile-manager instance.
 *
 * @param name        unique, {@code [A-Za-z0-9._-]{1,64}}
 * @param concurrency most sessions of this pod running at once [the global concurrency]
 * @param breaker     this pod's fleet breaker: the top-level {@code breaker} block with the pod's
 *                    {@code breaker} overrides merged in; null = the runner's ({@link RunnerConfig#breaker()})
 */
public record PodConfig(String name, int concurrency, List<ProfileConfig> profiles, BreakerSettings breaker) {
    public PodConfig {
        profiles = List.copyOf(profiles);
    }

    /** A pod with the runner's breaker. */
    public PodConfig(String name, int concurrency, List<ProfileConfig> profiles) {
        this(name, concurrency, profiles, null);
    }
}
