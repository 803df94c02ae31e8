package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.profile.Blame;
import io.smartrunner.profile.FailureClass;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.PausePolicy;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.SessionResult;
import io.smartrunner.profile.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Replaying a log of blamed failures (shared, infrastructure by exit code, a pause withheld by the
 * cap, streaks forgiven by the breaker) gives back the states the runner decided, as
 * {@code rebuild-state} and the crash reconciliation need.
 */
class EventReplayBlameTest {
    private final ProfileRules rules = new ProfileRules(new PausePolicy(1, Duration.ofMinutes(5), 2.0,
            Duration.ofHours(1)));
    private final List<EventRecord> log = new ArrayList<>();
    private final Map<String, ProfileState> truth = new LinkedHashMap<>();
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private void apply(Transition t) {
        truth.put(t.state().profileId(), t.state());
        log.addAll(t.events());
    }

    private ProfileState state(String id) {
        return truth.getOrDefault(id, ProfileState.fresh(id, "podA"));
    }

    @Test
    void blamedHistoriesReplayToTheSameStates() {
        for (int seed = 0; seed < 50; seed++) {
            Random rnd = new Random(seed);
            log.clear();
            truth.clear();
            for (int n = 0; n < 300; n++) {
                String id = "p" + rnd.nextInt(4);
                now = now.plusMillis(rnd.nextInt(1000));
                ProfileState s = state(id);
                if (rnd.nextInt(8) == 0) {
                    apply(rules.forgive(s, 1 + rnd.nextInt(3), now, Events.BY_BREAKER));
                    continue;
                }
                if (s.paused()) {
                    apply(rules.unpause(s, now, Events.BY_BREAKER));
                    continue;
                }
                String sid = id + "-" + n;
                ProfileState started = rules.sessionStarted(s, sid, now);
                truth.put(id, started);
                log.add(Events.sessionStarted(now, "podA", id, sid, "w"));
                SessionResult r = rnd.nextInt(4) == 0 ? SessionResult.success(12)
                        : new SessionResult(rnd.nextBoolean() ? FailureReason.EXIT : FailureReason.LOST, 3, null,
                        null, "", 40L);
                Blame blame = r.succeeded() ? null : switch (rnd.nextInt(4)) {
                    case 0 -> Blame.of(r).as(FailureClass.SHARED);
                    case 1 -> new Blame(FailureClass.INFRASTRUCTURE, "retry-later", null);
                    case 2 -> Blame.of(r).withPauseWithheld("cap");
                    default -> Blame.of(r);
                };
                apply(rules.sessionEnded(started, sid, r, blame, now));
            }
            EventReplay replay = new EventReplay(1000);
            log.forEach(replay);
            for (String id : truth.keySet()) {
                assertEquals(truth.get(id), replay.profiles().get(id), "seed " + seed + ", profile " + id);
            }
        }
    }
}
