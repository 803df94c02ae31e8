package io.smartrunner.config;

import java.util.List;

/**
 * A group of profiles, usually one machine or one profile-manager instance.
 *
 * @param name        unique, {@code [A-Za-z0-9._-]{1,64}}
 * @param concurrency most sessions of this pod running at once [the global concurrency]
 */
public record PodConfig(String name, int concurrency, List<ProfileConfig> profiles) {
    public PodConfig {
        profiles = List.copyOf(profiles);
    }
}
