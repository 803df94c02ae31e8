package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.breaker.PodStatus;
import io.smartrunner.config.BreakerSettings;
import io.smartrunner.config.ExitMeaning;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** DESIGN §2b in the engine: failure classes, the pod's breaker, the pause cap, exit-code meanings. */
class PodBreakersTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private static final BreakerSettings BREAKER = new BreakerSettings(true, 0.5, 60_000, 5, 30_000, 0.1);
    /**
     * The pause cap alone: minProfiles 20 is more than a pod of 10 (or 20) has others, so neither the
     * breaker nor the peers' evidence (a first failure at a start waits for it) takes part.
     */
    private static final BreakerSettings CAP_ONLY = new BreakerSettings(true, 0.5, 60_000, 20, 30_000, 0.1);
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();

    private Supervisor supervisor(RunnerConfig config) {
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(7), Path.of("target/test-logs"), events -> { }, m -> { }, Runnable::run,
                new FakeRecoveryActions(), null));
        s.start();
        return s;
    }

    private static RunnerConfig config(BreakerSettings breaker, int maxStreak, SessionSettings session) {
        TestConfig.Builder b = TestConfig.builder().globalLimit(10).podLimit(10).cooldownMs(0).maxErrorStreak(maxStreak)
                .maxRecoverySteps(0).pod("podA", IntStream.range(0, 10).mapToObj(i -> "p" + i).toList());
        if (session != null) {
            b.session(session);
        }
        RunnerConfig c = b.build();
        return new RunnerConfig(c.source(), c.runner(), c.session(), c.recovery(), c.browser(), c.http(), c.alerts(),
                c.pods(), c.secretValues(), breaker);
    }

    @Test
    void aPodsViewSaysHowManyOfItsSlotsAreInUse() {
        RunnerConfig c = TestConfig.builder().globalLimit(10).podLimit(3).cooldownMs(0)
                .pod("podA", "a1", "a2", "a3", "a4", "a5").pod("podB", "b1").build();
        Supervisor s = supervisor(c);
        s.step();
        assertEquals(4, running().size(), "3 in podA (its limit), 1 in podB");

        var asked = s.pods();
        s.step(); // answered by the loop
        Map<String, PodStatus> pods = new java.util.HashMap<>();
        asked.join().forEach(p -> pods.put(p.pod(), p));
        assertEquals(3, pods.get("podA").sessions());
        assertEquals(3, pods.get("podA").slots());
        assertEquals(1, pods.get("podB").sessions());
        assertEquals(3, pods.get("podB").slots());

        running().get(0).exit(0); // a podA session ends: the slot is refilled in the same turn
        s.step();
        asked = s.pods();
        s.step();
        assertEquals(3, asked.join().stream().filter(p -> p.pod().equals("podA")).findFirst().orElseThrow().sessions());
    }

    @Test
    void aPodsSlotsNeverExceedTheRunnersOwnLimit() {
        Supervisor s = supervisor(TestConfig.builder().globalLimit(2).podLimit(3).cooldownMs(0)
                .pod("podA", "a1", "a2", "a3").build());
        s.step();
        var asked = s.pods();
        s.step();
        PodStatus podA = asked.join().get(0);
        assertEquals(2, podA.sessions());
        assertEquals(2, podA.slots(), "runner.globalConcurrency 2 caps the pod's 3");
    }

    private List<FakeLauncher.FakeProcess> running() {
        synchronized (launcher) {
            return launcher.launched.stream().filter(p -> !p.exit.isDone()).toList();
        }
    }

    private void endAll(int code, Supervisor s) {
        running().forEach(p -> p.exit(code));
        s.step();
    }

    private List<EventRecord> events(String kind) {
        return sink.events.stream().filter(e -> e.event().equals(kind)).toList();
    }

    /** A new runner on the same store, its start-up reading back the events written so far (the log). */
    private Supervisor restartedOnTheLog(RunnerConfig c) {
        List<EventRecord> log = List.copyOf(sink.events);
        EndedInLog fromTheLog = new EndedInLog() {
            @Override
            public Map<String, EventRecord> terminalEvents(java.util.Set<String> sessionIds) {
                return Map.of();
            }

            @Override
            public List<EventRecord> recent(Instant since, int atMost) {
                return log.stream().filter(e -> !e.ts().isBefore(since)).toList();
            }
        };
        Supervisor second = new Supervisor(c, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(7), Path.of("target/test-logs"), events -> { }, m -> { }, Runnable::run,
                new FakeRecoveryActions(), null, fromTheLog));
        second.start();
        return second;
    }

    private long paused() {
        return store.profiles.values().stream().filter(p -> p.paused()).count();
    }

    /**
     * An outage that straddles a restart (reviewer N): the failures before it stayed on the
     * streaks, the breaker that opened after the start forgave only its own window, and the first
     * failure after the close paused healthy profiles for 24 h. The new runner's breakers take
     * their windows back from the log.
     */
    @Test
    void anOutageThatStraddlesARestartOpensTheBreakerWithAndForgivesTheFailuresFromBeforeIt() {
        RunnerConfig c = config(BREAKER, 3, null);
        Supervisor first = supervisor(c);
        first.step();
        List<FakeLauncher.FakeProcess> round = running();
        for (int i = 0; i < 10; i++) {
            round.get(i).exit(i < 4 ? 1 : 0); // the site goes down: 4 of 10 fail, the breaker stays closed
        }
        first.step();
        first.requestStop();
        while (!running().isEmpty()) {
            first.step();
        }
        assertTrue(events("breaker-open").isEmpty());
        assertEquals(List.of(1, 1, 1, 1), IntStream.range(0, 4).mapToObj(i -> store.profiles.get("p" + i).errorStreak()).toList());

        time.advance(Duration.ofSeconds(20)); // the restart
        Supervisor second = restartedOnTheLog(c);
        second.step();
        endAll(1, second); // still down: at p4's failure, 9 of 15 votes failed, of 5 profiles
        assertEquals(1, events("breaker-open").size());
        assertEquals(15, ((Number) events("breaker-open").get(0).params().get("ended")).intValue(),
                "the 10 ends from before the restart vote");
        assertTrue(store.profiles.values().stream().allMatch(p -> p.errorStreak() == 0),
                "the failures from before the restart are forgiven too: " + store.profiles.values());
    }

    /**
     * Reviewer R15: after a healthy spell a whole pod's outage took about half a window to bring the
     * ratio to 0.5 (0.495 after 40 s of 100 % failures in a pod of 6: it never opened); its failures
     * counted as the profiles' own and each climbed its ladder. Ten failures in a row across five
     * profiles open it at once, and what they added to the streaks is taken back.
     */
    @Test
    void aWholePodOutageAfterAHealthySpellOpensTheBreakerAtTheTenthFailureInARow() {
        Supervisor s = supervisor(config(BREAKER, 3, null));
        s.step();
        for (int round = 0; round < 5; round++) {
            endAll(0, s); // 50 successes: the window's ratio stays far under 0.5 for a while
        }
        List<FakeLauncher.FakeProcess> round = running();
        for (int i = 0; i < 9; i++) {
            round.get(i).exit(1);
        }
        s.step();
        assertTrue(events("breaker-open").isEmpty(), "9 in a row, 9 of 59 in the window");
        assertEquals(9, events("error").size());
        round.get(9).exit(1);
        s.step();
        assertEquals(1, events("breaker-open").size(), "the tenth failure in a row, 10 of 60 in the window");
        EventRecord opened = events("breaker-open").get(0);
        assertEquals(10, ((Number) opened.params().get("inARow")).intValue(), opened.toString());
        assertEquals(60, ((Number) opened.params().get("ended")).intValue(), opened.toString());
        assertEquals("shared", events("error").get(9).params().get("class"), "the opening failure is the outage's");
        assertEquals(9, events("reset").size(), "the nine before it are taken back");
        assertTrue(store.profiles.values().stream().allMatch(p -> p.errorStreak() == 0), store.profiles.values().toString());
    }

    /**
     * Reviewer R20: a pod with profiles paused by hand, fewer than minProfiles left to fail, never
     * opened at a whole-pod outage. Ten in a row across every unpaused profile (three at least) open it.
     */
    @Test
    void aPodWithProfilesPausedByHandOpensAtARunAcrossTheRest() {
        Supervisor s = supervisor(config(BREAKER, 30, null));
        for (int i = 4; i < 10; i++) {
            s.request(new io.smartrunner.engine.ManualRequest.Pause("p" + i, Duration.ofHours(2), "maintenance", "cli"));
        }
        s.step();
        endAll(0, s);
        endAll(0, s); // a healthy spell: 8 successes of the 4 left running
        assertEquals(4, running().size());
        for (int round = 0; round < 2; round++) {
            endAll(1, s); // the site is down
        }
        assertTrue(events("breaker-open").isEmpty(), "8 in a row");
        endAll(1, s);
        assertEquals(1, events("breaker-open").size(), "10 in a row, across the 4 unpaused profiles");
        assertEquals(10, ((Number) events("breaker-open").get(0).params().get("inARow")).intValue());
    }

    /** Reviewer N: 30 % of a site's requests failing paused one healthy profile per pod for 24 h. */
    @Test
    void aPartialOutageWithholdsThePauseOfAProfileWhosePeersFailToo() {
        Supervisor s = supervisor(config(BREAKER, 1, null)); // the second failure in a row pauses
        s.step();
        List<FakeLauncher.FakeProcess> round = running();
        for (int i = 0; i < 10; i++) {
            round.get(i).exit(i < 4 ? 1 : 0); // p0-p3 fail
        }
        s.step();
        round = running();
        for (int i = 0; i < 10; i++) {
            round.get(i).exit(i == 0 || (i >= 4 && i < 7) ? 1 : 0); // p0 again, p4-p6: 8 of 20, the breaker stays closed
        }
        s.step();
        assertTrue(events("breaker-open").isEmpty());
        assertTrue(events("pause").isEmpty(), "p0's second failure in a row is not its own alone");
        EventRecord p0 = sink.events.stream().filter(e -> e.event().equals("error") && "p0".equals(e.profileId()))
                .reduce((a, b) -> b).orElseThrow();
        assertEquals(2, p0.params().get("errorStreak"));
        assertEquals("pod podA's other profiles failed 3 of their 9 sessions in the last 1 s (33.3 %, 9 profiles,"
                + " at least 40 % of breaker.failureRatio): a partial outage is suspected, not this profile's failure"
                + " alone", p0.params().get("pauseWithheld"));
    }

    /**
     * Below a partial outage's rate (a site failing 15 % of requests paused about one healthy
     * profile of 60 every 5 minutes): a streak is the profile's own once a profile failing as often
     * as its peers would show it less often than once in 100 000 sessions.
     */
    @Test
    void aStreakThatThePeersRateExplainsByChanceIsWithheldUntilItIsRare() {
        Supervisor s = supervisor(config(BREAKER, 1, null)); // the second failure in a row pauses
        s.step();
        List<FakeLauncher.FakeProcess> round = running();
        for (int i = 0; i < 10; i++) {
            round.get(i).exit(i < 2 ? 1 : 0); // p0 and p1 fail
        }
        s.step();
        running().stream().filter(p -> idOf(p).equals("p0")).forEach(p -> p.exit(1)); // p0 again
        s.step();
        EventRecord second = lastErrorOf("p0");
        assertEquals(2, second.params().get("errorStreak"));
        assertEquals("pod podA's other profiles failed 1 of their 9 sessions in the last 1 s (11.1 %, 9 profiles):"
                + " at that rate 2 failures in a row come by chance once in 81 sessions; it is paused at 6 in a row"
                + " while they fail at this rate (sooner if less, later if more)", second.params().get("pauseWithheld"));
        for (int turn = 0; turn < 10 && paused() == 0; turn++) { // the peers succeed on; p0 fails on
            running().stream().filter(p -> !idOf(p).equals("p0")).forEach(p -> p.exit(0));
            time.advance(Duration.ofSeconds(5)); // past p0's back-off
            s.step();
            running().stream().filter(p -> idOf(p).equals("p0")).forEach(p -> p.exit(1));
            s.step();
        }
        assertEquals(1, events("pause").size());
        assertEquals("p0", events("pause").get(0).profileId());
        EventRecord pausing = lastErrorOf("p0");
        assertNull(pausing.params().get("pauseWithheld"), "rare at the peers' rate: " + pausing.params());
        int streak = ((Number) pausing.params().get("errorStreak")).intValue();
        assertTrue(streak > 2 && streak <= 6, "paused once its streak was rare: " + streak);
    }

    private static String idOf(FakeLauncher.FakeProcess p) {
        return p.spec.env().get("SR_PROFILE_ID");
    }

    private EventRecord lastErrorOf(String id) {
        return sink.events.stream().filter(e -> e.event().equals("error") && id.equals(e.profileId()))
                .reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void anOutageOpensTheBreakerForgivesWhatOpenedItProbesAndClosesOnAProbesSuccess() throws Exception {
        Supervisor s = supervisor(config(BREAKER, 1, null));
        s.step();
        endAll(0, s); // 10 successes; 10 new sessions start
        assertEquals(10, running().size());
        endAll(1, s); // the site is down: 10 failures of 10 profiles, 10 of 20 = 0.5
        assertEquals(1, events("breaker-open").size());
        EventRecord open = events("breaker-open").get(0);
        assertEquals("pod", open.type());
        assertNull(open.profileId());
        assertEquals("podA", open.pod());
        assertEquals(Map.of("ended", 20, "failed", 10, "profiles", 10, "ratio", 0.5, "windowMs", 60_000L,
                "inARow", 10),
                Map.copyOf(open.params()));
        List<EventRecord> errors = events("error");
        assertEquals(9, errors.stream().filter(e -> "profile".equals(e.params().get("class"))).count());
        assertEquals("shared", errors.get(9).params().get("class"), "the failure that opened it is shared");
        assertEquals(9, events("reset").stream().filter(e -> "breaker".equals(e.params().get("by"))).count());
        assertTrue(store.profiles.values().stream().allMatch(p -> p.errorStreak() == 0), "streaks taken back");
        assertEquals(0, running().size(), "open: no session until the first probe");
        var asked = s.pods();
        s.step(); // answered by the loop
        PodStatus pod = asked.join().get(0);
        assertEquals("open", pod.breaker());
        assertEquals(T0, pod.since());
        assertEquals("breaker open in pod(s) podA: a shared outage is suspected, their failures pause nobody and"
                + " they run probe sessions only", s.breakerNote(), "said in /readyz's notes (reviewer N)");
        assertEquals(0, pod.autoPaused());
        assertEquals(1, pod.maxAutoPaused());

        time.advance(Duration.ofMillis(30_000));
        s.step();
        assertEquals(1, running().size(), "one probe per interval");
        endAll(1, s);
        assertEquals("shared", events("error").get(10).params().get("class"));
        time.advance(Duration.ofMillis(29_999));
        s.step();
        assertEquals(0, running().size());
        time.advanceMillis(1);
        s.step();
        assertEquals(1, running().size(), "the second probe");
        endAll(0, s); // the site is back
        assertEquals(1, events("breaker-close").size());
        assertNull(s.breakerNote());
        EventRecord close = events("breaker-close").get(0);
        assertEquals(60_000L, close.params().get("openForMs"));
        assertEquals(2, close.params().get("probes"));
        s.step();
        assertEquals(10, running().size(), "full rate again");
        assertEquals(0, paused());
        assertTrue(events("pause").isEmpty());
    }

    @Test
    void theOpeningUnpausesProfilesTheRunnerPausedWithinItsWindow() {
        // minProfiles 10: the breaker opens when all 10 fail, and 9 others are too few for the peers' rules,
        // so the first counted failure pauses as configured
        Supervisor s = supervisor(config(new BreakerSettings(true, 0.5, 60_000, 10, 30_000, 0.1), 0, null));
        s.step();
        endAll(0, s);
        running().stream().filter(p -> p.spec.env().get("SR_PROFILE_ID").equals("p0")).forEach(p -> p.exit(1));
        s.step();
        assertTrue(store.profiles.get("p0").paused(), "p0 failed alone: paused");
        endAll(1, s); // 9 more failures: 10 of 19 across 10 profiles
        assertEquals(1, events("breaker-open").size());
        assertFalse(store.profiles.get("p0").paused(), "paused in the window: unpaused by the breaker");
        EventRecord unpause = events("unpause").get(0);
        assertEquals("breaker", unpause.params().get("by"));
        assertEquals(0, paused());
    }

    /**
     * Reviewer R24: a broken profile paused a few seconds before the site went down was unpaused
     * and its streak taken back when the outage's run of failures opened the breaker, and it was
     * paused again 75 s later. A failure before the pod's last success is not the outage's.
     */
    @Test
    void theOpeningByARunLeavesAProfilePausedBeforeThePodsLastSuccessPaused() {
        Supervisor s = supervisor(config(new BreakerSettings(true, 0.5, 60_000, 5, 30_000, 0.1), 0, null));
        s.step();
        for (int round = 0; round < 3; round++) { // enough of the peers' votes for a pause not to wait for them
            endAll(0, s);
        }
        // p0 broken, the others fine: at their rate 3 failures in a row are no chance
        for (int k = 0; k < 3; k++) {
            running().stream().filter(p -> p.spec.env().get("SR_PROFILE_ID").equals("p0")).forEach(p -> p.exit(1));
            s.step();
            running().stream().filter(p -> !p.spec.env().get("SR_PROFILE_ID").equals("p0")).forEach(p -> p.exit(0));
            time.advance(Duration.ofSeconds(5)); // its retry's back-off
            s.step();
        }
        assertTrue(store.profiles.get("p0").paused(), "p0 failed alone, the pod healthy: paused "
                + events("error").get(events("error").size() - 1).params());
        endAll(0, s); // the others are fine after it
        time.advance(Duration.ofSeconds(5));
        endAll(1, s); // then the site goes down: 9 failures
        time.advance(Duration.ofSeconds(5)); // their retries' back-off
        s.step();
        endAll(1, s); // and 9 more
        assertEquals(1, events("breaker-open").size());
        assertEquals(10, ((Number) events("breaker-open").get(0).params().get("inARow")).intValue());
        assertTrue(store.profiles.get("p0").paused(), "its pause came before the pod's last success: its own");
        assertTrue(events("unpause").isEmpty(), events("unpause").toString());
        assertEquals(3, store.profiles.get("p0").errorStreak());
        assertTrue(events("reset").stream().noneMatch(e -> e.profileId().equals("p0")), "nor its streak forgiven");
        assertEquals(9, events("reset").size(), "the run's other profiles' failures are: "
                + events("reset").stream().map(EventRecord::profileId).toList());
    }

    @Test
    void neverMoreThanMaxPausedShareOfAPodIsPausedAutomatically() {
        Supervisor s = supervisor(config(CAP_ONLY, 0, null));
        s.step();
        running().stream().filter(p -> List.of("p0", "p1").contains(p.spec.env().get("SR_PROFILE_ID")))
                .forEach(p -> p.exit(1));
        s.step();
        assertEquals(1, paused(), "10 profiles × 0.1: at most one paused automatically");
        EventRecord withheld = events("error").get(1);
        assertEquals("breaker.maxPausedShare 0.1: 1 of the 10 profiles of pod podA already paused automatically"
                + " (at most 1)", withheld.params().get("pauseWithheld"));
        assertEquals(1, events("pause").size());
    }

    private static RunnerConfig smallPod(String... ids) {
        RunnerConfig c = TestConfig.builder().globalLimit(10).podLimit(10).cooldownMs(0).maxErrorStreak(3)
                .maxRecoverySteps(0).pod("podA", ids).build();
        return new RunnerConfig(c.source(), c.runner(), c.session(), c.recovery(), c.browser(), c.http(), c.alerts(),
                c.pods(), c.secretValues(), BREAKER);
    }

    /**
     * Reviewer R10: a pod of 3 has no breaker (minProfiles 5), and a 40 s outage paused one healthy
     * profile for 24 h. A pause made while every other profile of such a pod failed too (twice in a
     * row at least) is lifted as soon as one of them succeeds.
     */
    @Test
    void aSmallPodsPauseMadeWhileEveryOtherProfileFailedIsLiftedWhenOneOfThemSucceeds() {
        Supervisor s = supervisor(smallPod("s1", "s2", "s3"));
        s.step();
        for (int i = 0; i < 4; i++) {
            endAll(1, s); // the site they all use is down
        }
        assertEquals(1, paused(), "one paused; the cap withholds the others");
        String pausedId = events("pause").get(0).profileId();
        time.advanceMillis(1_000); // the withheld ones' back-off
        s.step();
        assertFalse(running().isEmpty());

        running().get(0).exit(0); // the site is back
        s.step();

        assertEquals(0, paused());
        EventRecord unpause = events("unpause").get(0);
        assertEquals(pausedId, unpause.profileId());
        assertEquals("pod-recovered", unpause.params().get("by"));
        EventRecord cause = sink.events.get(sink.events.indexOf(unpause) - 1);
        assertEquals("finish", cause.event(), "the success that lifts it comes first (reviewer R11)");
        assertEquals(0, store.profiles.get(pausedId).errorStreak());
        assertEquals(0, store.profiles.get(pausedId).pauseCount(), "its next pause is not made longer for this one");
    }

    /**
     * Reviewer R15: after an outage the small pod's withheld profiles slept out their back-offs, and
     * the pod ran nothing for 52 s once the site was back. A success in the pod ends them: the
     * others start again at their cooldown's pace (0 here), not when their back-off runs out.
     */
    @Test
    void aSuccessInThePodEndsTheBackOffOfItsWithheldProfiles() {
        Supervisor s = supervisor(smallPod("s1", "s2", "s3", "s4"));
        s.step();
        for (int i = 0; i < 4; i++) {
            endAll(1, s); // the site they all use is down: at the 4th, one paused (the cap), the others withheld
        }
        assertEquals(1, paused());
        time.advanceMillis(1_000); // their first back-off
        s.step();
        List<String> back = running().stream().map(p -> p.spec.env().get("SR_PROFILE_ID")).sorted().toList();
        assertEquals(3, back.size(), "the three withheld ones try again");
        failSessionsOf(back.get(0), s);
        failSessionsOf(back.get(1), s); // withheld again: they back off 2 s now
        assertFalse(store.profiles.get(back.get(0)).running());

        running().get(0).exit(0); // the third succeeds: the site is back
        s.step();

        assertTrue(store.profiles.get(back.get(0)).running(), "its back-off ended by the success: started at once");
        assertTrue(store.profiles.get(back.get(1)).running());
    }

    /**
     * Reviewer R20: a broken profile the pause cap held back beside healthy peers was let out of its
     * back-off at every peer's success and failed every 1-2 s. Only a pod failing together (an
     * outage: the test above) ends its withheld profiles' back-off at a success.
     */
    @Test
    void aProfileTheCapHoldsBackBesideHealthyPeersBacksOffThroughTheirSuccesses() {
        Supervisor s = supervisor(config(BREAKER, 3, null)); // a pod of 10: one automatic pause at most
        s.step();
        String held = null;
        for (int round = 0; round < 60 && held == null; round++) {
            for (FakeLauncher.FakeProcess p : running()) {
                p.exit(idOf(p).equals("p0") || idOf(p).equals("p1") ? 1 : 0);
            }
            s.step();
            for (String id : List.of("p0", "p1")) {
                Object why = events("error").stream().anyMatch(e -> id.equals(e.profileId()))
                        ? lastErrorOf(id).params().get("pauseWithheld") : null;
                if (why != null && why.toString().startsWith("breaker.maxPausedShare")) {
                    held = id;
                }
            }
            if (held == null) {
                time.advance(Duration.ofMinutes(5)); // past any back-off
                s.step();
            }
        }
        assertEquals(1, paused(), "the other broken one is paused");
        assertTrue(held != null, "one held back by the cap");
        assertFalse(store.profiles.get(held).running());
        String heldId = held;
        running().stream().filter(p -> !idOf(p).equals(heldId)).forEach(p -> p.exit(0)); // the healthy ones succeed
        s.step();
        assertFalse(store.profiles.get(held).running(), "still backing off: its peers' successes are not its own");
        time.advance(Duration.ofMinutes(5)); // the back-off's cap
        s.step();
        assertTrue(store.profiles.get(held).running(), "once its back-off has run out");
    }

    /** Reviewer R10 restarted the runner during the outage: the pause is still lifted when the pod recovers. */
    @Test
    void aSmallPodsOutagePauseIsStillLiftedAfterARestart() {
        String pausedId = pausedByAnOutageThenRestartedAndAPeerSucceeds(0);

        assertFalse(store.profiles.get(pausedId).paused(), "lifted after the restart too");
        assertEquals("pod-recovered", events("unpause").get(0).params().get("by"));
    }

    /** Of a pause older than the window, the streaks at a restart say nothing: it is not lifted. */
    @Test
    void aSmallPodsOldPauseIsNotLiftedAfterARestart() {
        String pausedId = pausedByAnOutageThenRestartedAndAPeerSucceeds(BREAKER.windowMs() + 1_000);

        assertTrue(store.profiles.get(pausedId).paused(), "nothing tells this pause was the pod's");
        assertTrue(events("unpause").isEmpty());
    }

    /**
     * A pod of 3 whose every profile fails 4 times (one paused), a stop, {@code downMs} before the
     * next runner starts, then one of the others succeeds.
     *
     * @return the paused profile
     */
    private String pausedByAnOutageThenRestartedAndAPeerSucceeds(long downMs) {
        RunnerConfig c = smallPod("s1", "s2", "s3");
        Supervisor first = supervisor(c);
        first.step();
        for (int i = 0; i < 4; i++) {
            endAll(1, first);
        }
        String pausedId = events("pause").get(0).profileId();
        first.requestStop();
        for (int i = 0; i < 5 && !running().isEmpty(); i++) {
            endAll(1, first); // the stop's sessions end (not counted)
        }
        time.advanceMillis(downMs);

        Supervisor second = restartedOnTheLog(c);
        second.step();
        time.advanceMillis(2_000); // the withheld ones' back-off
        second.step();
        running().get(0).exit(0); // the site is back
        second.step();
        return pausedId;
    }

    /** A broken profile beside healthy ones stays paused when they succeed. */
    @Test
    void aSmallPodsBrokenProfileStaysPausedWhenTheOthersSucceed() {
        Supervisor s = supervisor(smallPod("s1", "s2", "s3"));
        s.step();
        for (int i = 0; i < 4; i++) {
            int code = i == 3 ? 1 : 0;
            failSessionsOf("s1", s);
            running().stream().filter(p -> !"s1".equals(p.spec.env().get("SR_PROFILE_ID"))).forEach(p -> p.exit(code));
            s.step(); // the others succeed, and at s1's fourth failure fail once
        }
        assertEquals(List.of("s1"), events("pause").stream().map(EventRecord::profileId).toList());

        running().forEach(p -> p.exit(0));
        s.step();

        assertTrue(store.profiles.get("s1").paused(), "paused while the others failed once at most: its own failure");
        assertTrue(events("unpause").isEmpty());
    }

    /**
     * A profile the cap kept from being paused used to be retried at the cooldown's pace (about 1.6
     * failures a second with a real child): the crash loop the pause is there to stop. It now backs
     * off 1 s, 2 s, 4 s ... like a spawn failure, and a success resets that.
     */
    @Test
    void aProfileWhosePauseWasWithheldBacksOffInsteadOfRetryingAtTheCooldownsPace() {
        Supervisor s = supervisor(config(CAP_ONLY, 0, null));
        s.step();
        failSessionsOf("p0", s); // paused: the pod's one automatic pause
        failSessionsOf("p1", s);
        assertEquals(1, events("pause").size());
        assertEquals(1, countStarts("p1"));
        for (long backoffMs : new long[] {1_000, 2_000, 4_000}) {
            int before = countStarts("p1");
            time.advanceMillis(backoffMs - 1);
            s.step();
            assertEquals(before, countStarts("p1"), "p1 waits " + backoffMs + " ms, not the cooldown of 0");
            time.advanceMillis(1);
            s.step();
            assertEquals(before + 1, countStarts("p1"), "p1 tries again after " + backoffMs + " ms");
            failSessionsOf("p1", s);
            assertEquals(countStarts("p1"), events("error").stream().filter(e -> e.profileId().equals("p1")
                    && e.params().get("pauseWithheld") != null).count(), "each of its failures is withheld");
        }
        time.advanceMillis(8_000);
        s.step();
        running().stream().filter(p -> "p1".equals(p.spec.env().get("SR_PROFILE_ID"))).forEach(p -> p.exit(0));
        s.step();
        assertTrue(running().stream().anyMatch(p -> "p1".equals(p.spec.env().get("SR_PROFILE_ID"))),
                "after a success the cooldown (0) applies again: the next session started at once");
        assertEquals(1, events("pause").size(), "nobody else paused");
    }

    private void failSessionsOf(String id, Supervisor s) {
        running().stream().filter(p -> id.equals(p.spec.env().get("SR_PROFILE_ID"))).forEach(p -> p.exit(1));
        s.step();
    }

    private int countStarts(String id) {
        return (int) events("start").stream().filter(e -> e.profileId().equals(id)).count();
    }

    @Test
    void aRestartStillCountsThePausesThePreviousRunnerMadeAutomaticallyAndNotThoseByHand() {
        Supervisor first = supervisor(config(CAP_ONLY, 0, null));
        first.step();
        running().stream().filter(p -> "p0".equals(p.spec.env().get("SR_PROFILE_ID"))).forEach(p -> p.exit(1));
        first.step();
        answeredPause(first, "p9");
        assertEquals(2, paused(), "p0 by the runner, p9 by hand");

        time.advance(java.time.Duration.ofMinutes(5));
        Supervisor second = supervisor(config(CAP_ONLY, 0, null)); // the same store: a restart
        second.step();
        running().stream().filter(p -> "p1".equals(p.spec.env().get("SR_PROFILE_ID"))).forEach(p -> p.exit(1));
        second.step();
        assertEquals(2, paused(), "10 profiles × 0.1: p0's pause still counts after the restart");
        EventRecord last = events("error").get(events("error").size() - 1);
        assertEquals("p1", last.profileId());
        assertEquals("breaker.maxPausedShare 0.1: 1 of the 10 profiles of pod podA already paused automatically"
                + " (at most 1)", last.params().get("pauseWithheld"), "p9's pause by hand does not count");
    }

    private void answeredPause(Supervisor s, String id) {
        var reply = s.request(new ManualRequest.Pause(id, java.time.Duration.ofHours(1), "by hand", "api"));
        s.step();
        assertEquals(io.smartrunner.engine.ManualReply.Outcome.DONE, reply.join().outcome());
    }

    @Test
    void thePauseCapCountsThePodAsAReloadLeftIt() {
        Supervisor s = supervisor(config(CAP_ONLY, 0, null));
        s.step();
        running().stream().filter(p -> "p0".equals(p.spec.env().get("SR_PROFILE_ID"))).forEach(p -> p.exit(1));
        s.step();
        assertEquals(1, paused(), "10 profiles × 0.1: one");
        RunnerConfig c = config(CAP_ONLY, 0, null);
        RunnerConfig grown = TestConfig.builder().globalLimit(20).podLimit(20).cooldownMs(0).maxErrorStreak(0)
                .maxRecoverySteps(0).pod("podA", IntStream.range(0, 20).mapToObj(i -> "p" + i).toList()).build();
        s.requestReload(new RunnerConfig(grown.source(), grown.runner(), grown.session(), grown.recovery(),
                grown.browser(), grown.http(), grown.alerts(), grown.pods(), grown.secretValues(), c.breaker()));
        s.step();
        running().stream().filter(p -> "p1".equals(p.spec.env().get("SR_PROFILE_ID"))).forEach(p -> p.exit(1));
        s.step();
        assertEquals(2, paused(), "20 profiles × 0.1: two, the pod counted again after the reload");
        running().stream().filter(p -> "p2".equals(p.spec.env().get("SR_PROFILE_ID"))).forEach(p -> p.exit(1));
        s.step();
        assertEquals(2, paused());
        assertEquals("breaker.maxPausedShare 0.1: 2 of the 20 profiles of pod podA already paused automatically"
                + " (at most 2)", events("error").get(2).params().get("pauseWithheld"));
    }

    @Test
    void withTheBreakerOffEveryProfileOfAnOutageIsPaused() {
        Supervisor s = supervisor(config(BreakerSettings.OFF, 0, null));
        s.step();
        endAll(0, s);
        endAll(1, s);
        assertTrue(events("breaker-open").isEmpty());
        assertEquals(10, paused(), "the seed's policy: the outage pauses the whole pod");
    }

    @Test
    void aPodsOwnBreakerSettingsApply() {
        RunnerConfig c = config(BREAKER, 0, null);
        var podA = c.pods().get(0);
        RunnerConfig offInPodA = new RunnerConfig(c.source(), c.runner(), c.session(), c.recovery(), c.browser(),
                c.http(), c.alerts(), List.of(new io.smartrunner.config.PodConfig(podA.name(), podA.concurrency(),
                podA.profiles(), BreakerSettings.OFF)), c.secretValues(), BREAKER);
        Supervisor s = supervisor(offInPodA);
        s.step();
        endAll(0, s);
        endAll(1, s);
        assertTrue(events("breaker-open").isEmpty(), "podA's breaker is off");
        assertEquals(10, paused(), "and so is its pause cap");
    }

    @Test
    void anExitCodeMappedToRetryLaterBacksOffWithoutAStreak() {
        SessionSettings base = TestConfig.builder().cooldownMs(0).sessionSettings();
        SessionSettings mapped = withExitCodes(base, Map.of(75, ExitMeaning.RETRY_LATER));
        Supervisor s = supervisor(config(BreakerSettings.OFF, 0, mapped));
        s.step();
        running().forEach(p -> p.exit(75));
        s.step();
        EventRecord e = events("error").get(0);
        assertEquals("infrastructure", e.params().get("class"));
        assertEquals("retry-later", e.params().get("meaning"));
        assertEquals(0, paused());
        assertTrue(store.profiles.values().stream().allMatch(p -> p.errorStreak() == 0));
        assertEquals(0, running().size(), "backs off like a spawn failure, despite cooldown 0");
        time.advance(Duration.ofSeconds(1));
        s.step();
        assertEquals(10, running().size());
    }

    @Test
    void anExitCodeMappedToConfigHoldsThePodUntilAReload() {
        SessionSettings base = TestConfig.builder().cooldownMs(0).sessionSettings();
        RunnerConfig c = config(BreakerSettings.OFF, 3, withExitCodes(base, Map.of(78, ExitMeaning.CONFIG)));
        Supervisor s = supervisor(c);
        s.step();
        running().get(0).exit(78);
        running().get(1).exit(78);
        s.step();
        assertEquals(1, events("pod-pause").size(), "one hold, one event, however many sessions say so");
        EventRecord hold = events("pod-pause").get(0);
        assertEquals("pod", hold.type());
        assertEquals(78, hold.params().get("exitCode"));
        assertEquals("infrastructure", events("error").get(0).params().get("class"));
        time.advance(Duration.ofMinutes(5));
        s.step();
        assertEquals(8, running().size(), "no new session in a held pod; running ones continue");
        s.requestReload(c);
        s.step();
        assertEquals(1, events("pod-unpause").size());
        assertEquals("reload", events("pod-unpause").get(0).params().get("by"));
        s.step();
        assertEquals(10, running().size());
    }

    private RunnerConfig exitCode78HoldsThePod() {
        SessionSettings base = TestConfig.builder().cooldownMs(0).sessionSettings();
        return config(BreakerSettings.OFF, 3, withExitCodes(base, Map.of(78, ExitMeaning.CONFIG)));
    }

    /** A runner whose first session exited 78: podA held, its one pod-pause written. */
    private Supervisor holdingPodA(RunnerConfig c) {
        Supervisor first = supervisor(c);
        first.step();
        running().get(0).exit(78);
        first.step();
        assertEquals(1, events("pod-pause").size());
        return first;
    }

    /** Reviewer O: a restart ended a hold with no event, and a consumer pairing holds saw one that never ended. */
    @Test
    void aHoldThePreviousRunnerHadEndsAtTheRestartWithItsEvent() {
        RunnerConfig c = exitCode78HoldsThePod();
        Supervisor first = holdingPodA(c);
        first.requestStop();
        while (!running().isEmpty()) {
            first.step();
        }
        time.advance(Duration.ofSeconds(30));
        Supervisor second = restartedOnTheLog(c);

        assertEquals(1, events("pod-unpause").size());
        EventRecord ended = events("pod-unpause").get(0);
        assertEquals("podA", ended.pod());
        assertEquals("restart", ended.params().get("by"));
        assertEquals(30_000L, ((Number) ended.params().get("pausedFor")).longValue());
        second.step();
        assertEquals(10, running().size(), "the pod runs again");
    }

    /** A hold outlived by nothing: a clean stop ends it with its event, and the restart finds none to end. */
    @Test
    void aHoldEndsWithACleanStopWithItsEventAndTheRestartWritesNoOther() {
        RunnerConfig c = exitCode78HoldsThePod();
        Supervisor first = holdingPodA(c);
        time.advance(Duration.ofSeconds(20));
        first.requestStop();
        assertTrue(first.loop(), "stopped, every event written");
        assertEquals(1, events("pod-unpause").size());
        EventRecord ended = events("pod-unpause").get(0);
        assertEquals("stop", ended.params().get("by"));
        assertEquals(20_000L, ((Number) ended.params().get("pausedFor")).longValue());

        time.advance(Duration.ofSeconds(30));
        restartedOnTheLog(c);
        assertEquals(1, events("pod-unpause").size(), "the restart finds the hold ended");
    }

    @Test
    void aBrowserTheProviderCannotStartIsInfrastructureAndCountsNothing() {
        Supervisor s = supervisor(config(BREAKER, 0, null));
        // SessionLaunch turns a failed browser open into this spawn failure
        launcher.spawnError = "cannot open the profile's browser: Chromium did not start within 30000 ms";
        s.step();
        s.step();
        List<EventRecord> errors = events("error");
        assertEquals(10, errors.size());
        assertTrue(errors.stream().allMatch(e -> "infrastructure".equals(e.params().get("class"))
                && "spawn".equals(e.params().get("reason"))), errors.toString());
        assertEquals(0, paused());
        assertTrue(events("breaker-open").isEmpty(), "infrastructure failures do not vote");
        assertTrue(store.profiles.values().stream().allMatch(p -> p.errorStreak() == 0));
    }

    private static SessionSettings withExitCodes(SessionSettings s, Map<Integer, ExitMeaning> codes) {
        return new SessionSettings(s.command(), s.env(), s.workingDir(), s.timeoutMs(), s.idleTimeoutMs(),
                s.cooldownMs(), s.stopGraceMs(), s.logMaxBytes(), s.logKeepFiles(), s.stderrTailBytes(),
                s.inheritEnv(), codes);
    }
}
