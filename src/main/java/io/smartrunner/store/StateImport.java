package io.smartrunner.store;

import io.smartrunner.event.Events;
import io.smartrunner.profile.ProfileState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code import-state} copies from a single machine's SQLite store into the fleet's
 * PostgreSQL store: each configured profile's row (its error streak, its pause and when it ends,
 * its last session), with one {@code import} event each. The copy is the state as the single
 * machine left it, so a profile paused there stays paused in the fleet, and a streak goes on
 * counting; a profile the fleet already has a row for keeps the fleet's (newer) row unless the
 * import replaces it. Profiles of the old store that the config no longer names are left out:
 * the fleet would list rows nobody runs.
 */
public final class StateImport {
    /**
     * @param changes    the rows to write, each with its event, by profile id
     * @param kept       profiles the fleet already has a row for, left as they are
     * @param notInConfig profiles of the old store the config does not name
     */
    public record Plan(Map<String, ProfileChange> changes, List<String> kept, List<String> notInConfig) {
    }

    private StateImport() {
    }

    /**
     * @param old        the single machine's rows, by profile id
     * @param fleet      the rows the fleet's store already has, by profile id
     * @param configured each configured profile's pod, by profile id (the config's pod wins over the old row's)
     * @param from       the old store's path, for the events
     * @param by         who imports, for the events ({@code import-state@<runner>})
     */
    public static Plan plan(Map<String, ProfileState> old, Map<String, ProfileState> fleet,
                            Map<String, String> configured, boolean replace, Instant now, String from, String by) {
        Map<String, ProfileChange> changes = new LinkedHashMap<>();
        List<String> kept = new ArrayList<>();
        List<String> notInConfig = new ArrayList<>();
        for (ProfileState row : old.values()) {
            String pod = configured.get(row.profileId());
            if (pod == null) {
                notInConfig.add(row.profileId());
                continue;
            }
            boolean exists = fleet.containsKey(row.profileId());
            if (exists && !replace) {
                kept.add(row.profileId());
                continue;
            }
            ProfileState copied = copied(row, pod);
            changes.put(row.profileId(), new ProfileChange(copied, List.of(Events.stateImported(now, pod,
                    row.profileId(), copied.errorStreak(), copied.paused(), copied.pausedUntil(), copied.pauseCount(),
                    from, exists, by))));
        }
        return new Plan(changes, kept, notInConfig);
    }

    /**
     * The old row under the config's pod, not running: the old store's runner stopped (the import
     * refuses a store with running sessions), and a session of the fleet marks it running again.
     */
    private static ProfileState copied(ProfileState row, String pod) {
        return new ProfileState(row.profileId(), pod, row.errorStreak(), false, row.needsRecovery(), row.paused(),
                row.paused() ? row.pausedUntil() : null, row.lastSessionId(), row.lastError(), row.lastStartedAt(),
                row.lastFinishedAt(), row.pauseCount(), row.paused() ? row.pausedAt() : null);
    }
}
