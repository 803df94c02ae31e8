package io.smartrunner.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smartrunner.profile.ProfileState;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * {@code smartrunner_profiles{state}}: how many profiles are in each state, counted from the
 * supervisor loop's snapshot when scraped. Each profile is in exactly one state, first match of
 * paused, running, needs_recovery, idle, so the states add up to the fleet. Thread-safe.
 */
final class ProfileGauges {
    static final String PROFILES = "smartrunner.profiles";
    static final String SNAPSHOT_TIMEOUTS = "smartrunner.profile.snapshot.timeouts";

    enum State {
        PAUSED, RUNNING, NEEDS_RECOVERY, IDLE;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State of(ProfileState p) {
            return p.paused() ? PAUSED : p.running() ? RUNNING : p.needsRecovery() ? NEEDS_RECOVERY : IDLE;
        }
    }

    private final Supplier<CompletableFuture<List<ProfileState>>> profiles;
    private final Duration wait;
    private final AtomicReference<Map<State, Integer>> counts = new AtomicReference<>(Map.of());
    private final Counter timeouts;

    ProfileGauges(MeterRegistry registry, Supplier<CompletableFuture<List<ProfileState>>> profiles, Duration wait) {
        this.profiles = profiles;
        this.wait = wait;
        for (State s : State.values()) {
            Gauge.builder(PROFILES, counts, c -> c.get().getOrDefault(s, 0))
                    .description("Profiles by state (paused, running, needs_recovery, idle), counted when scraped")
                    .tag("state", s.label()).register(registry);
        }
        this.timeouts = Counter.builder(SNAPSHOT_TIMEOUTS)
                .description("Scrapes that served the previous profile counts: the supervisor loop did not answer in time")
                .register(registry);
    }

    /**
     * Counts the profiles by state; keeps the previous counts when the loop does not answer within the wait.
     *
     * @return whether the loop answered
     */
    boolean refresh() {
        List<ProfileState> all;
        try {
            all = profiles.get().get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            timeouts.increment();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        Map<State, Integer> fresh = new EnumMap<>(State.class);
        all.forEach(p -> fresh.merge(State.of(p), 1, Integer::sum));
        counts.set(fresh);
        return true;
    }
}
