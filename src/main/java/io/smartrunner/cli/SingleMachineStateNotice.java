package io.smartrunner.cli;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SqliteStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A runner starting in cluster mode on a data dir that still holds a single machine's
 * {@code state.db}: if that store has paused profiles or error streaks for configured profiles
 * the fleet's store has no row for, the start says so, once per such start, with what would be
 * lost and the command that keeps it ({@code import-state}). Without it, a config switched to
 * PostgreSQL silently ran every profile the single machine had paused.
 */
final class SingleMachineStateNotice {
    private SingleMachineStateNotice() {
    }

    /**
     * @param fleetRows the fleet's rows, read only when {@code stateDb} exists
     * @return the line to say, empty when there is nothing the fleet would lose (or the old store cannot be read)
     */
    static Optional<String> of(Path stateDb, List<ProfileConfig> profiles, Supplier<Map<String, ProfileState>> fleetRows,
                               Path configFile) {
        if (!Files.isRegularFile(stateDb)) {
            return Optional.empty();
        }
        Map<String, ProfileState> old;
        try (SqliteStateStore store = SqliteStateStore.openReadOnly(stateDb)) {
            old = store.loadProfiles();
        } catch (RuntimeException e) {
            return Optional.empty(); // not a store this version reads: nothing to offer, and the start goes on
        }
        Map<String, ProfileState> fleet = fleetRows.get();
        List<ProfileState> missing = profiles.stream().map(p -> old.get(p.id())).filter(Objects::nonNull)
                .filter(s -> !fleet.containsKey(s.profileId())).filter(s -> s.paused() || s.errorStreak() > 0).toList();
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        long paused = missing.stream().filter(ProfileState::paused).count();
        long streaks = missing.stream().filter(s -> s.errorStreak() > 0).count();
        Instant last = missing.stream().map(ProfileState::pausedUntil).filter(Objects::nonNull).max(Instant::compareTo)
                .orElse(null);
        return Optional.of(stateDb.toAbsolutePath().normalize() + " holds this machine's single-machine state, which the fleet's store does not"
                + " have: " + paused + " paused profile(s)" + (last != null ? " (the last until " + last + ")" : "")
                + ", " + streaks + " with an error streak; they start afresh in the fleet. To keep that state: stop"
                + " this runner, run 'smart-runner import-state -c " + configFile + " --replace' while no runner of"
                + " the fleet runs (--replace: this runner writes their rows from now on), then start them again"
                + " (docs/cluster.md)");
    }
}
