package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.session.SessionScheduler;
import io.smartrunner.session.SessionScheduler.Candidate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The start queue picks exactly what the scheduler picks from a scan of every profile, and files pauses and cooldowns. */
class StartQueueTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private final Map<String, ProfileSlot> slots = new LinkedHashMap<>();
    private final StartQueue queue = new StartQueue(slots);

    private ProfileSlot slot(String id, String pod, Instant lastStartedAt, boolean paused, long notBefore) {
        ProfileState s = new ProfileState(id, pod, 0, false, false, paused, paused ? T0.plusSeconds(60) : null, null,
                null, lastStartedAt, null, 0, paused ? T0 : null);
        ProfileSlot slot = new ProfileSlot(new ProfileConfig(id, pod, null, SessionSettings.defaults(), null, null),
                slots.size(), s, notBefore);
        slots.put(id, slot);
        return slot;
    }

    private List<String> pick(long now, int free, Map<String, Integer> limits) {
        return queue.pick(now, free, pod -> limits.getOrDefault(pod, free) - queue.busy(pod), pod -> true, s -> true)
                .stream().map(ProfileSlot::id).toList();
    }

    @Test
    void leastRecentlyStartedFirstAcrossPodsWithinEachPodsRoom() {
        slot("a1", "a", T0.plusSeconds(3), false, 0);
        slot("a2", "a", T0.plusSeconds(1), false, 0);
        slot("a3", "a", null, false, 0);
        slot("b1", "b", T0.plusSeconds(2), false, 0);
        slot("b2", "b", T0, false, 0);
        queue.rebuild();
        assertEquals(List.of("a3", "b2", "a2", "b1", "a1"), pick(0, 10, Map.of()));
        assertEquals(List.of("a3", "b2", "a2"), pick(0, 3, Map.of()));
        assertEquals(List.of("a3", "b2", "b1"), pick(0, 10, Map.of("a", 1)), "pod a has room for one");
    }

    @Test
    void aCoolingProfileWaitsForItsCooldownAndWakesTheLoopThen() {
        slot("a1", "a", null, false, 5_000);
        queue.rebuild();
        assertEquals(List.of(), pick(4_999, 10, Map.of()));
        assertEquals(5_000, queue.nextCooldownEnd(Long.MAX_VALUE));
        assertEquals(List.of("a1"), pick(5_000, 10, Map.of()));
        assertEquals(Long.MAX_VALUE, queue.nextCooldownEnd(Long.MAX_VALUE), "nothing cools any more");
    }

    @Test
    void aBusyProfileIsCountedInItsPodAndAPausedOneWaitsForItsPauseEnd() {
        ProfileSlot busy = slot("a1", "a", null, false, 0);
        ProfileSlot paused = slot("a2", "a", null, true, 0);
        busy.spawning = "s1";
        queue.rebuild();
        assertEquals(1, queue.busy("a"));
        assertEquals(List.of(), pick(0, 10, Map.of()));
        assertEquals(T0.plusSeconds(60), queue.nextPauseEnd());
        assertEquals(List.of(), queue.pausesEnded(T0.plusSeconds(59)));
        assertEquals(List.of(paused), queue.pausesEnded(T0.plusSeconds(60)));
        assertNull(queue.nextPauseEnd(), "taken off until the caller files it again");
        busy.spawning = null;
        queue.track(busy);
        assertEquals(0, queue.busy("a"));
        assertEquals(List.of("a1"), pick(0, 10, Map.of()));
    }

    @Test
    void aStaleEntryIsFiledAgainWhenReadNeverStarted() {
        ProfileSlot a = slot("a1", "a", null, false, 0);
        queue.rebuild();
        a.notBeforeNanos = 10_000; // pushed back without telling the queue (a safe state after an internal error)
        assertEquals(List.of(), pick(0, 10, Map.of()));
        assertEquals(10_000, queue.nextCooldownEnd(Long.MAX_VALUE));
        assertEquals(List.of("a1"), pick(10_000, 10, Map.of()));
    }

    @Test
    void onRandomFleetsItPicksWhatTheSchedulerPicksFromAFullScan() {
        Random random = new Random(13);
        for (int round = 0; round < 300; round++) {
            slots.clear();
            int pods = 1 + random.nextInt(4);
            int n = random.nextInt(40);
            for (int i = 0; i < n; i++) {
                ProfileSlot s = slot("p" + i, "pod" + random.nextInt(pods),
                        random.nextInt(4) == 0 ? null : T0.plusSeconds(random.nextInt(20)),
                        random.nextInt(6) == 0, random.nextInt(3) == 0 ? 2_000 : 0);
                if (random.nextInt(4) == 0) {
                    s.spawning = "s" + i;
                }
                if (random.nextInt(10) == 0) {
                    s.runNowBy = "cli";
                }
            }
            queue.rebuild();
            Map<String, Integer> limits = new HashMap<>();
            for (int p = 0; p < pods; p++) {
                limits.put("pod" + p, 1 + random.nextInt(6));
            }
            int global = 1 + random.nextInt(20);
            long now = random.nextBoolean() ? 0 : 2_000;
            List<String> got = queue.pick(now, global - queue.busyTotal(),
                    pod -> limits.get(pod) - queue.busy(pod), pod -> true, s -> true).stream().map(ProfileSlot::id).toList();
            assertEquals(scan(now, global, limits), got, "round " + round);
            assertTrue(queue.inStep(now));
        }
    }

    private List<String> scan(long now, int global, Map<String, Integer> limits) {
        Map<String, Integer> running = new HashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        for (ProfileSlot s : slots.values()) {
            if (s.spawning != null) {
                running.merge(s.pod(), 1, Integer::sum);
            } else if (!s.state.paused() && now - s.notBeforeNanos >= 0) {
                candidates.add(new Candidate(s.id(), s.pod(), s.runNowBy != null ? null : s.state.lastStartedAt(), s.order));
            }
        }
        return new SessionScheduler(global, limits).pick(candidates, running).stream().map(Candidate::profileId).toList();
    }
}
