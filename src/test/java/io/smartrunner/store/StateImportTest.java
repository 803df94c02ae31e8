package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventRecord.StateImported;
import io.smartrunner.profile.ProfileState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateImportTest {
    private static final Instant T = Instant.parse("2026-12-06T08:00:00Z");
    private static final Instant UNTIL = T.plusSeconds(20 * 3600);

    private static ProfileState row(String id, int streak, boolean paused, boolean running) {
        return new ProfileState(id, "old-pod", streak, running, streak > 0, paused, paused ? UNTIL : null, "s-" + id,
                streak > 0 ? "exit 3" : null, T.minusSeconds(60), T.minusSeconds(50), paused ? 2 : 0,
                paused ? T.minusSeconds(4 * 3600) : null);
    }

    private static Map<String, ProfileState> rows(ProfileState... states) {
        Map<String, ProfileState> out = new LinkedHashMap<>();
        for (ProfileState s : states) {
            out.put(s.profileId(), s);
        }
        return out;
    }

    private static final Map<String, String> CONFIGURED = Map.of("p1", "pod-b", "p2", "pod-a");

    @Test
    void eachConfiguredProfileIsCopiedUnderItsConfiguredPodNotRunningWithItsEvent() {
        StateImport.Plan plan = StateImport.plan(rows(row("p1", 4, true, true), row("p2", 2, false, false),
                row("p3", 0, false, false)), Map.of(), CONFIGURED, false, T, "/srv/data/state.db", "import-state@a");
        assertEquals(List.of("p1", "p2"), List.copyOf(plan.changes().keySet()));
        assertEquals(List.of("p3"), plan.notInConfig());
        ProfileState p1 = plan.changes().get("p1").state();
        assertEquals("pod-b", p1.pod());
        assertFalse(p1.running(), "the old store's runner is gone; a session of the fleet marks it running");
        assertTrue(p1.paused());
        assertEquals(UNTIL, p1.pausedUntil());
        assertEquals(4, p1.errorStreak());
        assertEquals(2, p1.pauseCount());
        assertEquals("s-p1", p1.lastSessionId());
        StateImported event = assertInstanceOf(StateImported.class, plan.changes().get("p1").events().get(0));
        assertEquals("pod-b", event.pod());
        assertEquals(4, event.errorStreak());
        assertTrue(event.paused());
        assertEquals(UNTIL, event.pausedUntil());
        assertEquals("import-state@a", event.by());
        assertEquals(T, event.ts());
        assertEquals(2, plan.changes().get("p2").state().errorStreak());
    }

    @Test
    void theFleetsOwnRowsAreKeptUnlessReplaced() {
        Map<String, ProfileState> fleet = rows(ProfileState.fresh("p2", "pod-a"));
        StateImport.Plan kept = StateImport.plan(rows(row("p1", 0, false, false), row("p2", 2, false, false)), fleet,
                CONFIGURED, false, T, "db", "by");
        assertEquals(List.of("p1"), List.copyOf(kept.changes().keySet()));
        assertEquals(List.of("p2"), kept.kept());

        StateImport.Plan replaced = StateImport.plan(rows(row("p2", 2, false, false)), fleet, CONFIGURED, true, T,
                "db", "by");
        assertEquals(List.of(), replaced.kept());
        StateImported event = (StateImported) replaced.changes().get("p2").events().get(0);
        assertEquals(Boolean.TRUE, event.params().value(io.smartrunner.event.EventParams.REPLACED));
    }
}
