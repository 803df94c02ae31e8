package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A profile's periodic unit that fails on every turn is retried on a back-off, not on every turn. */
class LoopGuardHoldTest {
    private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2025-01-08T10:30:00Z"));
    private final Map<String, ProfileSlot> slots = new LinkedHashMap<>();
    private final PendingWrites pending = new PendingWrites(new Redactor(Set.of()));
    private final List<String> diagnostics = new ArrayList<>();
    private final LoopGuard guard = new LoopGuard(slots, pending, new Redactor(Set.of()), diagnostics::add, time,
            m -> { }, id -> { });

    @Test
    void aUnitThatKeepsFailingIsHeldBackOneTwoFourSecondsWhileTheOthersRunEveryTurn() {
        RunnerConfig c = TestConfig.builder().pauseDurationMs(1000).pod("podA", "p1", "p2").build();
        int order = 0;
        for (ProfileConfig p : c.profiles()) {
            slots.put(p.id(), new ProfileSlot(p, order++, ProfileState.fresh(p.id(), p.pod()), 0));
        }
        List<String> ran = new ArrayList<>();
        Runnable turn = () -> guard.eachProfile("pauses", slot -> {
            ran.add(slot.id());
            if (slot.id().equals("p1")) {
                throw new IllegalStateException("always");
            }
        });
        for (int i = 0; i < 5; i++) {
            turn.run();
        }
        assertEquals(1, pending.eventCount(), "p1 failed once, then was held");
        assertEquals(5, ran.stream().filter("p2"::equals).count(), "p2 ran every turn");
        time.advanceMillis(1_000);
        turn.run();
        turn.run();
        assertEquals(2, pending.eventCount(), "retried after 1 s");
        time.advanceMillis(1_999);
        turn.run();
        assertEquals(2, pending.eventCount(), "then held 2 s");
        time.advanceMillis(1);
        turn.run();
        assertEquals(3, pending.eventCount());
        assertEquals(3, diagnostics.size());
    }
}
