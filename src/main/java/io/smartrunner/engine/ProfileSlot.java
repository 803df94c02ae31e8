package io.smartrunner.engine;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.profile.ProfileState;

/**
 * A configured profile as the supervisor tracks it. Only changed by the supervisor's loop thread;
 * {@link #state} is also read by other threads through the {@link ProfileBoard}.
 */
final class ProfileSlot {
    /** Replaced by a reload that changes the profile; used from its next session on. */
    ProfileConfig config;
    /** Its place among profiles that never ran ({@link FleetOrder}), renumbered at each reload. */
    int order;
    /** Volatile: the {@link ProfileBoard}'s readers see each change as soon as the loop makes it. */
    volatile ProfileState state;
    /** Monotonic time before which no session may start (cooldown, start jitter). */
    long notBeforeNanos;
    ActiveSession active;
    /** The session being launched right now (counts as running), else null. */
    String spawning;
    /** A launch decided and logged-to-be, not yet handed to the launcher (waits for its start event). */
    StagedLaunch staged;
    /** Removed from the configuration by a reload: dropped as soon as nothing of it runs. */
    boolean removed;
    /** Failures in a row that back the profile off (spawn, retry-later, a withheld pause): set its wait. */
    int backedOffFailures;
        /** Who asked for a session by hand (run now), until it starts; else null. */
    String runNowBy;

    ProfileSlot(ProfileConfig config, int order, ProfileState state, long notBeforeNanos) {
        this.config = config;
        this.order = order;
        this.state = state;
        this.notBeforeNanos = notBeforeNanos;
    }

    String id() {
        return config.id();
    }

    String pod() {
        return config.pod();
    }
}
