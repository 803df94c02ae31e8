package io.smartrunner.engine;

import io.smartrunner.process.ProcessTable.TaggedProcess;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.SessionResult;
import io.smartrunner.profile.Transition;
import io.smartrunner.store.SessionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Closes, at start-up, what a previous runner on the same data dir left behind when it died:
 * every session still marked running gets its processes stopped (only when provably its own:
 * pid plus start time, or this runner's id in the environment) and exactly one {@code error}
 * event with reason {@code lost}; no profile stays {@code running}. Browsers left running are
 * stopped too, except those of the profiles in {@code keptBrowsers}: with {@code closeOnExit:
 * false} the chromium provider adopts them (or stops them itself if they no longer answer).
 */
final class CrashReconciler {
    private static final String DETAIL = "the runner stopped while the session was running";
    /** Prefix of the run ids recovery steps tag their processes with (see RecoveryCoordinator). */
    static final String RECOVERY_RUN = "recovery-";
    /** Prefix of the run ids a profile's browser is tagged with (see ChromiumProvider). */
    static final String BROWSER_RUN = io.smartrunner.browser.ChromiumProvider.RUN_PREFIX;
    private final SupervisorDeps deps;
    private final ProfileRules rules;
    private final Duration grace;
    private final Set<String> keptBrowsers;

    /** @param keptBrowsers profiles whose browser left running is not stopped here but left to the provider */
    CrashReconciler(SupervisorDeps deps, ProfileRules rules, long graceMs, Set<String> keptBrowsers) {
        this.deps = deps;
        this.rules = rules;
        this.grace = Duration.ofMillis(graceMs);
        this.keptBrowsers = Set.copyOf(keptBrowsers);
    }

    void reconcile(Map<String, ProfileSlot> slots, Map<String, ProfileState> stored, PendingWrites pending,
                   Instant now) {
        Map<String, SessionRecord> open = new LinkedHashMap<>();
        deps.store().openSessions().forEach(s -> open.put(s.sessionId(), s));
        for (SessionRecord s : open.values()) {
            deps.processTable().stopSession(s.pid(), s.pidStartTicks(), s.sessionId(), grace);
        }
        for (TaggedProcess orphan : unrecordedOrphans(open.keySet())) {
            if (kept(orphan)) {
                continue;
            }
            deps.processTable().stopSession(orphan.pid(), orphan.startTicks(), orphan.sessionId(), grace);
            // a recovery step's or a browser's process is not a session: stopped, but no session event
            if (orphan.profileId() != null && orphan.pod() != null && !orphan.sessionId().startsWith(RECOVERY_RUN)
                    && !orphan.sessionId().startsWith(BROWSER_RUN)) {
                open.put(orphan.sessionId(), new SessionRecord(orphan.sessionId(), orphan.profileId(), orphan.pod(),
                        orphan.pid(), orphan.startTicks(), orphan.pid(), null, SessionRecord.Status.RUNNING, null,
                        null, null));
            }
        }
        // what escaped the sessions (a daemonising grandchild): their leftover cgroups, the orphans adopted
        deps.processTable().stopEscaped(deps.store().runnerId(), this::kept, grace);
        Map<String, ProfileState> states = new HashMap<>(stored);
        slots.values().forEach(slot -> states.put(slot.id(), slot.state));
        for (SessionRecord s : open.values()) {
            ProfileState before = states.getOrDefault(s.profileId(), ProfileState.fresh(s.profileId(), s.pod()));
            Long durMs = s.startedAt() == null ? null : Math.max(0, Duration.between(s.startedAt(), now).toMillis());
            SessionResult lost = new SessionResult(FailureReason.LOST, null, null, DETAIL, "", durMs);
            Transition t = rules.sessionEnded(before, s.sessionId(), lost, now);
            states.put(s.profileId(), t.state());
            SessionRecord known = s.startedAt() != null ? s : new SessionRecord(s.sessionId(), s.profileId(), s.pod(),
                    s.pid(), s.pidStartTicks(), s.pgid(), now, s.status(), null, null, null);
            pending.add(t.events(), t.state(), known.ended(SessionRecord.Status.FAILED, now,
                    FailureReason.LOST.wireName(), null));
        }
        for (ProfileSlot slot : slots.values()) {
            ProfileState st = states.get(slot.id());
            if (st.running()) {
                st = notRunning(st);
                pending.add(List.of(), st, null);
            }
            slot.state = st;
        }
    }

    private boolean kept(TaggedProcess p) {
        return p.sessionId().startsWith(BROWSER_RUN) && keptBrowsers.contains(p.profileId());
    }

    private List<TaggedProcess> unrecordedOrphans(Set<String> recorded) {
        Set<String> seen = new HashSet<>(recorded);
        return deps.processTable().tagged(deps.store().runnerId()).stream()
                .filter(p -> p.sessionId() != null && seen.add(p.sessionId()))
                .toList();
    }

    private static ProfileState notRunning(ProfileState s) {
        return new ProfileState(s.profileId(), s.pod(), s.errorStreak(), false, s.needsRecovery(), s.paused(),
                s.pausedUntil(), s.lastSessionId(), s.lastError(), s.lastStartedAt(), s.lastFinishedAt(),
                s.pauseCount(), s.pausedAt());
    }
}
