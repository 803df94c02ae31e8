package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.event.EventRecord;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The supervisor driven tick by tick: manual clock, fake launcher, in-memory store and log. */
class SupervisorTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final FakeProcessTable table = new FakeProcessTable();
    private final List<String> diagnostics = new ArrayList<>();
    private final FakeRecoveryActions recoveryActions = new FakeRecoveryActions();

    private Supervisor supervisor(RunnerConfig config) {
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, launcher, table, time, new Random(7),
                Path.of("target/test-logs"), events -> { }, diagnostics::add, Runnable::run, recoveryActions, null));
        s.start();
        return s;
    }

    private static RunnerConfig oneProfile(long timeoutMs, long idleMs, long cooldownMs, int maxStreak) {
        return TestConfig.builder().command("worker", "{profileId}").timeoutMs(timeoutMs).idleTimeoutMs(idleMs)
                .cooldownMs(cooldownMs).maxErrorStreak(maxStreak).pod("podA", "p1").build();
    }

    private ProfileState state(String id) {
        return store.profiles.get(id);
    }

    private EventRecord lastEvent() {
        return sink.events.get(sink.events.size() - 1);
    }

    @Test
    void startsEligibleProfilesWithinPodLimitLeastRecentlyRunFirst() {
        RunnerConfig c = TestConfig.builder().podLimit(2).timeoutMs(60_000).pauseDurationMs(1000)
                .pod("podA", "a", "b", "c").build();
        Supervisor s = supervisor(c);
        s.step();
        assertEquals(2, launcher.launched.size());
        assertEquals(List.of("a", "b"), launcher.launched.stream().map(p -> p.spec.env().get("SR_PROFILE_ID")).toList());
        launcher.launched.get(0).exit(0);
        time.advanceMillis(1);
        s.step();
        assertEquals("c", launcher.last().spec.env().get("SR_PROFILE_ID"));
        assertEquals(List.of("start", "finish"), sink.names("a"));
    }

    @Test
    void launchesOfOneInheritEnvShareOneInheritanceMadeOnce() {
        RunnerConfig c = TestConfig.builder().podLimit(3).timeoutMs(60_000).pod("podA", "a", "b", "c").build();
        Supervisor s = supervisor(c);
        s.step();
        assertEquals(3, launcher.launched.size());
        launcher.launched.get(0).exit(0);
        time.advanceMillis(1);
        s.step();
        List<io.smartrunner.process.EnvInheritance> made = launcher.launched.stream().map(p -> p.spec.inherit()).toList();
        assertEquals(io.smartrunner.process.EnvInheritance.safeBase(), made.get(0), "the default: the safe base only");
        assertEquals(1, made.stream().map(System::identityHashCode).distinct().count(),
                "one instance for every launch, not one per launch: " + made.size() + " launches");
    }

    @Test
    void failedSessionCountsStreakWaitsCooldownThenRestarts() {
        Supervisor s = supervisor(oneProfile(60_000, 0, 5_000, 3));
        s.step();
        launcher.last().exit(1);
        s.step();
        assertEquals(1, state("p1").errorStreak());
        assertTrue(state("p1").needsRecovery());
        assertFalse(state("p1").running());
        assertEquals(List.of("start", "error"), sink.names("p1"));
        time.advanceMillis(4_999);
        s.step();
        assertEquals(1, launcher.launched.size(), "no restart before the cooldown has passed");
        time.advanceMillis(1);
        s.step();
        assertEquals(2, launcher.launched.size());
        launcher.last().exit(0);
        s.step();
        assertEquals(0, state("p1").errorStreak());
        assertFalse(state("p1").needsRecovery());
    }

    @Test
    void pausesAfterStreakExceedsMaxSkipsWhilePausedAndUnpausesAfter24h() {
        Supervisor s = supervisor(oneProfile(60_000, 0, 0, 3));
        for (int i = 0; i < 4; i++) {
            s.step();
            launcher.last().exit(2);
        }
        s.step();
        assertTrue(state("p1").paused());
        assertEquals(T0.plus(Duration.ofHours(24)), state("p1").pausedUntil());
        assertEquals("pause", lastEvent().event());
        time.advance(Duration.ofHours(23));
        s.step();
        assertEquals(4, launcher.launched.size(), "a paused profile is skipped");
        time.advance(Duration.ofHours(1));
        s.step();
        assertFalse(state("p1").paused());
        assertEquals(0, state("p1").errorStreak());
        assertEquals(5, launcher.launched.size(), "unpaused profile runs again");
        List<String> names = sink.names("p1");
        assertEquals(List.of("error", "pause", "unpause", "start"), names.subList(names.size() - 4, names.size()));
    }

    @Test
    void timeoutStopsTheTreeWithGraceAndRecordsReasonTimeout() {
        Supervisor s = supervisor(oneProfile(10_000, 0, 0, 3));
        s.step();
        time.advanceMillis(9_999);
        s.step();
        assertNull(launcher.last().stop);
        time.advanceMillis(1);
        s.step();
        assertNotNull(launcher.last().stop);
        assertEquals(Duration.ofMillis(200), launcher.last().stopGrace);
        s.step();
        EventRecord error = sink.events.stream().filter(e -> e.event().equals("error")).findFirst().orElseThrow();
        assertEquals("timeout", error.params().get("reason"));
        assertEquals(1, state("p1").errorStreak());
    }

    @Test
    void silentSessionIsStoppedAsHangButChattyOneIsNot() {
        Supervisor s = supervisor(oneProfile(600_000, 2_000, 0, 3));
        s.step();
        FakeLauncher.FakeProcess p = launcher.last();
        for (int i = 0; i < 10; i++) {
            p.output += 1_000_000;
            time.advanceMillis(500);
            s.step();
        }
        assertNull(p.stop, "output keeps it alive");
        time.advanceMillis(2_000);
        s.step();
        // the last output is noticed at the next poll, so a hang is seen within idleTimeout + idleTimeout/4
        time.advanceMillis(2_000);
        s.step();
        assertNotNull(p.stop);
        s.step();
        assertEquals(List.of("start", "error", "start"), sink.names("p1"));
        assertEquals("hang", sink.events.get(1).params().get("reason"));
        assertTrue(sink.events.get(1).params().toString().contains("printed nothing for idleTimeoutMs 2000 (nothing new"
                + " seen for "), "how long it was quiet: " + sink.events.get(1).params());
    }

    /**
     * Reviewer R9: a quiet session is polled every 5 s, and a child that then wrote flat out grew its
     * log to 1.86 GB against a 1 MiB cap before the next poll. Told by the watch that a quiet log
     * was written, the loop polls it within 100-200 ms.
     */
    @Test
    void aQuietSessionWrittenAgainIsPolledSoonNotAtItsNextQuietPoll() {
        Supervisor s = supervisor(oneProfile(600_000, 0, 60_000, 3));
        s.step();
        FakeLauncher.FakeProcess p = launcher.last();
        p.quiet = true; // its logs are watched and untouched
        time.advanceMillis(1_000);
        s.step(); // the quiet poll: the next one on the 5 s grid
        int polls = p.polls;
        time.advanceMillis(1_000);
        s.step();
        assertEquals(polls, p.polls, "a quiet session is not polled every second");

        p.quiet = false;
        p.output += 50_000_000;
        p.afterQuiet.run(); // the watch's thread, at the write
        s.step();
        time.advanceMillis(200);
        s.step();

        assertEquals(polls + 1, p.polls, "polled within 200 ms of the write, not up to 5 s later");
        sink.events.clear();
        p.afterQuiet.run(); // told again for a session no longer running: nothing to poll
        p.exit(0);
        s.step();
        time.advanceMillis(200);
        s.step();
        assertEquals(List.of("finish"), sink.names("p1"));
    }

    /** With hang detection a session is polled every second at least: no loop turn for each line after a quiet spell. */
    @Test
    void aSessionWithHangDetectionIsNotToldOfWritesAfterQuiet() {
        supervisor(oneProfile(600_000, 30_000, 60_000, 3)).step();

        assertNull(launcher.last().afterQuiet);
    }

    @Test
    void spawnFailureEndsTheLoggedStartWithReasonSpawn() {
        launcher.spawnError = "cannot start \"nope\": No such file or directory";
        Supervisor s = supervisor(oneProfile(60_000, 0, 1_000, 3));
        s.step();
        assertEquals(List.of("start", "error"), sink.names("p1"));
        assertEquals("spawn", lastEvent().params().get("reason"));
        assertTrue(((String) lastEvent().params().get("message")).contains("No such file or directory"));
        assertEquals("infrastructure", lastEvent().params().get("class"));
        assertEquals(0, state("p1").errorStreak(), "the runner's environment, not the profile's failure");
    }

    /**
     * A launch thread's Error (a native library that will not load, a full heap) ends the session
     * as a failed start: uncaught, it killed the thread and the profile showed "spawning" forever.
     */
    @Test
    void anErrorInTheLaunchEndsTheStartAndTheProfileTriesAgain() {
        launcher.spawnBreaks = new UnsatisfiedLinkError("libc.so.6: cannot open shared object file");
        Supervisor s = supervisor(oneProfile(60_000, 0, 1_000, 3));
        s.step();
        assertEquals(List.of("start", "error"), sink.names("p1"));
        assertEquals("spawn", lastEvent().params().get("reason"));
        assertEquals("cannot start: java.lang.UnsatisfiedLinkError: libc.so.6: cannot open shared object file",
                lastEvent().params().get("message"));
        assertEquals("infrastructure", lastEvent().params().get("class"));
        assertEquals(0, state("p1").errorStreak(), "the runner's environment, not the profile's failure");

        launcher.spawnBreaks = null;
        time.advanceMillis(60_000);
        s.step();
        assertEquals(List.of("start", "error", "start"), sink.names("p1"));
        assertEquals(1, launcher.launched.size(), "the next session ran");
    }

    /**
     * Issue #9: a program that is gone paused all 20 profiles for 24 h in 0.37 s. Now nobody is
     * paused; each profile retries 1 s, 2 s, 4 s ... apart, and a session that really ran resets that.
     */
    @Test
    void spawnFailuresBackOffPerProfileAndPauseNobody() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add("p" + i);
        }
        RunnerConfig c = TestConfig.builder().globalLimit(20).podLimit(20).command("worker").timeoutMs(60_000)
                .pod("podA", ids).build();
        launcher.spawnError = "cannot start \"worker\": Permission denied";
        Supervisor s = supervisor(c);
        s.step();
        assertEquals(20, startsOf(ids));
        for (long backoffMs : new long[] {1_000, 2_000, 4_000, 8_000, 16_000}) {
            int before = startsOf(ids);
            time.advanceMillis(backoffMs - 1);
            s.step();
            assertEquals(before, startsOf(ids), "nothing starts before " + backoffMs + " ms have passed");
            time.advanceMillis(1);
            s.step();
            assertEquals(before + 20, startsOf(ids), "every profile tries again after " + backoffMs + " ms");
        }
        assertTrue(sink.events.stream().noneMatch(e -> e.event().equals("pause")), "nobody paused");
        assertTrue(sink.events.stream().filter(e -> e.event().equals("error"))
                .allMatch(e -> "infrastructure".equals(e.params().get("class"))));
        assertTrue(ids.stream().allMatch(id -> state(id).errorStreak() == 0 && !state(id).paused()));

        // the program is back: the sessions run, and the back-off starts from 1 s again next time
        launcher.spawnError = null;
        time.advanceMillis(32_000);
        s.step();
        assertEquals(20, launcher.launched.size());
        launcher.launched.forEach(p -> p.exit(0));
        launcher.spawnError = "cannot start \"worker\": Permission denied";
        s.step();
        s.step();
        assertEquals(20, sink.events.stream().filter(e -> e.event().equals("finish")).count());
        int afterReset = startsOf(ids);
        time.advanceMillis(999);
        s.step();
        assertEquals(afterReset, startsOf(ids));
        time.advanceMillis(1);
        s.step();
        assertEquals(afterReset + 20, startsOf(ids), "reset to 1 s by the sessions that ran");
    }

    private int startsOf(List<String> ids) {
        return (int) sink.events.stream().filter(e -> e.event().equals("start") && ids.contains(e.profileId())).count();
    }

    @Test
    void fullEventLogStopsStartingSessionsAndLosesNothing() {
        Supervisor s = supervisor(oneProfile(60_000, 0, 0, 3));
        s.step();
        sink.diskFull = true;
        launcher.last().exit(1);
        s.step();
        time.advanceMillis(10_000);
        s.step();
        assertEquals(1, launcher.launched.size(), "no session starts while events cannot be written");
        assertNotNull(s.problem());
        assertTrue(diagnostics.get(0).contains("No space left on device"), diagnostics.toString());
        assertEquals(1, diagnostics.size(), "said once, not on every retry");
        assertTrue(state("p1").running(), "state is not persisted ahead of its event");
        sink.diskFull = false;
        time.advance(Duration.ofNanos(WriteBackoff.MAX_NANOS)); // the next try, at most the longest pause later
        s.step();
        assertNull(s.problem());
        assertEquals(List.of("start", "error", "start"), sink.names("p1"));
        assertEquals(2, launcher.launched.size());
    }

    @Test
    void launchWaitsUntilItsStartEventIsInTheLog() {
        Supervisor s = supervisor(oneProfile(60_000, 0, 0, 3));
        sink.diskFull = true;
        s.step();
        assertEquals(0, launcher.launched.size(), "nothing is spawned before its start event is written");
        assertTrue(store.profiles.isEmpty(), "and nothing persisted");
        sink.diskFull = false;
        time.advance(Duration.ofNanos(WriteBackoff.FIRST_NANOS)); // the next try after a failure
        s.step();
        assertEquals(1, launcher.launched.size());
        assertEquals(List.of("start"), sink.names("p1"));
        assertEquals(0, store.sessions.values().iterator().next().pid(), "the row was written before the spawn");
    }

    @Test
    void aLaunchedSessionsPidReachesItsRowWithinASecondWithoutAWriteOfItsOwnBefore() {
        Supervisor s = supervisor(oneProfile(60_000, 0, 0, 3));
        s.step();
        assertEquals(1, launcher.launched.size());
        int writes = store.writes;
        time.advance(Duration.ofMillis(999));
        assertTrue(s.nextWakeNanos(time.nanoTime()) - time.nanoTime() <= TimeUnit.MILLISECONDS.toNanos(1),
                "the loop wakes for it");
        s.step();
        assertEquals(writes, store.writes, "no write for the pid alone before its second");
        assertEquals(0, store.sessions.values().iterator().next().pid());
        time.advance(Duration.ofMillis(1));
        s.step();
        assertEquals(writes + 1, store.writes);
        assertEquals(launcher.last().pid, store.sessions.values().iterator().next().pid(), "the row gets its pid");
    }

    @Test
    void anUncontainedSessionsGroupIsSweptForLeftoversAndAContainedOnesIsNot() {
        Supervisor s = supervisor(oneProfile(60_000, 0, 0, 3));
        s.step();
        FakeLauncher.FakeProcess loose = launcher.last();
        loose.exit(0);
        s.step();
        time.advance(Duration.ofMillis(500));
        s.step();
        assertEquals(List.of(Map.of(loose.pid, loose.spec.sessionId())), table.sweeps,
                "its process group is looked at once, in the next sweep");

        FakeLauncher.FakeProcess contained = launcher.last();
        assertTrue(contained != loose);
        contained.contained = true;
        contained.exit(0);
        s.step();
        for (int i = 0; i < 4; i++) {
            time.advance(Duration.ofMillis(500));
            s.step();
        }
        assertEquals(1, table.sweeps.size(), "no /proc scan for a session whose cgroup took what it left: "
                + table.sweeps);
    }

    @Test
    void aSessionThatEndsWithinItsSecondCostsOneWriteAndItsRowHasThePid() {
        Supervisor s = supervisor(oneProfile(60_000, 0, 0, 3));
        s.step();
        int writes = store.writes;
        FakeLauncher.FakeProcess first = launcher.last();
        first.exit(3);
        s.step();
        assertEquals(writes + 1, store.writes, "the end, the next start and the pid in one write");
        SessionRecord ended = store.sessions.get(first.spec.sessionId());
        assertEquals(first.pid, ended.pid());
        assertEquals(SessionRecord.Status.FAILED, ended.status());
    }

    @Test
    void orphanFoundOnlyByItsRunnerIdTagIsStoppedAndClosedAsLost() {
        table.tagged.add(new io.smartrunner.process.ProcessTable.TaggedProcess(777, 5, "ghost", "p1", "podA"));
        supervisor(oneProfile(60_000, 0, 60_000, 3));
        assertEquals(List.of("ghost"), table.stoppedSessions);
        assertEquals(List.of("error"), sink.names("p1"));
        assertEquals("ghost", sink.events.get(0).sessionId());
        assertEquals("lost", sink.events.get(0).params().get("reason"));
    }

    @Test
    void sessionLeftRunningByADeadRunnerIsClosedAsLostExactlyOnce() {
        store.profiles.put("p1", new ProfileState("p1", "podA", 1, true, true, false, null, "old", null, T0, null, 0, null));
        store.sessions.put("old", new SessionRecord("old", "p1", "podA", 4242, 99, 4242, T0.minusSeconds(60),
                SessionRecord.Status.RUNNING, null, null, null));
        Supervisor s = supervisor(oneProfile(60_000, 0, 60_000, 3));
        assertEquals(List.of("old"), table.stoppedSessions);
        assertEquals(List.of("error"), sink.names("p1"));
        assertEquals("lost", sink.events.get(0).params().get("reason"));
        assertEquals(60_000L, sink.events.get(0).durMs());
        assertEquals(1, state("p1").errorStreak(), "lost is infrastructure (DESIGN §2b): the streak is kept, not grown");
        assertEquals("infrastructure", sink.events.get(0).params().get("class"));
        assertFalse(state("p1").running());
        assertEquals(SessionRecord.Status.FAILED, store.sessions.get("old").status());
        assertTrue(store.openSessions().isEmpty());
        s.step();
        assertEquals(1, sink.names("p1").stream().filter("error"::equals).count());
    }

    @Test
    void shutdownStopsEverySessionWithoutCountingItAgainstTheProfile() {
        RunnerConfig c = TestConfig.builder().timeoutMs(60_000).pauseDurationMs(1000).pod("podA", "a", "b").build();
        Supervisor s = supervisor(c);
        s.step();
        s.requestStop();
        s.step();
        s.step();
        assertTrue(launcher.launched.stream().allMatch(p -> p.stop != null));
        assertEquals("shutdown", lastEvent().params().get("reason"));
        assertEquals(0, state("a").errorStreak());
        assertFalse(state("a").running());
        assertEquals(2, launcher.launched.size(), "nothing new starts once stopping");
    }

    /**
     * Every group is checked, then every group signalled in a row, before any stop's books: each
     * exiting child takes a CPU from the loop.
     */
    @Test
    void shutdownSignalsEveryGroupBeforeStoppingAny() {
        RunnerConfig c = TestConfig.builder().timeoutMs(60_000).pod("podA", "a", "b", "c").build();
        Supervisor s = supervisor(c);
        s.step();
        assertEquals(3, launcher.launched.size());
        s.requestStop();
        s.step();
        Set<String> pids = launcher.launched.stream().map(p -> Long.toString(p.pid)).collect(Collectors.toSet());
        List<String> calls = List.copyOf(launcher.calls);
        assertEquals(9, calls.size(), calls.toString());
        assertEquals(pids.stream().map(pid -> "checked " + pid).collect(Collectors.toSet()),
                Set.copyOf(calls.subList(0, 3)));
        assertEquals(pids.stream().map(pid -> "ahead " + pid).collect(Collectors.toSet()), Set.copyOf(calls.subList(3, 6)));
        assertEquals(pids.stream().map(pid -> "stop " + pid).collect(Collectors.toSet()), Set.copyOf(calls.subList(6, 9)));
    }

    @Test
    void userValuesReachTheChildAsLiteralArgumentsAndEnvironment() {
        SessionSettings session = TestConfig.builder().command("w", "--home={homepage}", "{sessionId}")
                .timeoutMs(60_000).sessionSettings();
        RunnerConfig c = TestConfig.builder().session(session).pauseDurationMs(1000).pod("podA", "p1").build();
        Supervisor s = supervisor(c);
        s.step();
        FakeLauncher.FakeProcess p = launcher.last();
        String sessionId = p.spec.sessionId();
        assertEquals(List.of("w", "--home=http://127.0.0.1/home", sessionId), p.spec.argv());
        assertEquals("p1", p.spec.env().get("SR_PROFILE_ID"));
        assertEquals("podA", p.spec.env().get("SR_POD"));
        assertEquals(sessionId, p.spec.env().get("SR_SESSION_ID"));
        assertEquals("http://127.0.0.1/home", p.spec.env().get("SR_HOMEPAGE"));
        assertEquals("", p.spec.env().get("SR_CDP_URL"));
        assertEquals("runner-test", p.spec.env().get("SR_RUNNER_ID"));
    }

    @Test
    void startJitterSpreadsTheFirstStartsOfALargeFleet() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add("p" + i);
        }
        RunnerConfig c = TestConfig.builder().globalLimit(1000).podLimit(1000).timeoutMs(60_000)
                .pauseDurationMs(1000).startJitterMs(1000).pod("podA", ids).build();
        Supervisor s = supervisor(c);
        s.step();
        int first = launcher.launched.size();
        assertTrue(first < 20, "only a few start at once, got " + first);
        time.advanceMillis(1000);
        for (int turn = 0; turn * StartPass.STARTS_PER_TURN < 200; turn++) {
            s.step();
        }
        assertEquals(200, launcher.launched.size());
    }

    /**
     * Ten profiles for each slot: each profile's own random wait alone filled every slot within a
     * tenth of the jitter (the first 100 due of 2 000), so the fleet still started in one burst. The
     * limits rise over the jitter instead, and the loop wakes for each step.
     */
    @Test
    void startJitterSpreadsTheFirstWaveOfAFleetLargerThanItsSlots() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            ids.add("p" + i);
        }
        RunnerConfig c = TestConfig.builder().globalLimit(100).podLimit(100).timeoutMs(60_000)
                .pauseDurationMs(1000).startJitterMs(1000).pod("podA", ids).build();
        Supervisor s = supervisor(c);
        s.step();
        assertTrue(launcher.launched.size() <= 1, "one at once, got " + launcher.launched.size());
        time.advanceMillis(100);
        stepUntilIdle(s);
        assertEquals(10, launcher.launched.size(), "a tenth of the slots a tenth into the jitter");
        long now = time.nanoTime();
        assertTrue(s.nextWakeNanos(now) - now <= java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10),
                "the loop wakes by the ramp's next step");
        time.advanceMillis(400);
        stepUntilIdle(s);
        assertEquals(50, launcher.launched.size());
        time.advanceMillis(500);
        stepUntilIdle(s);
        assertEquals(100, launcher.launched.size(), "every slot once the jitter is over");
        now = time.nanoTime();
        assertTrue(s.nextWakeNanos(now) > now, "and no wake for a ramp that is over");
    }

    /**
     * Reviewer R21: below the pods' limits together, the first pod's never-run profiles took every
     * slot until each had run once. The pods take turns among profiles that never ran, also a pod a
     * reload adds (without the renumbering at the reload, its profiles came after every other never-run one).
     */
    @Test
    void podsTakeTurnsAmongProfilesThatNeverRan() {
        RunnerConfig c = TestConfig.builder().globalLimit(4).podLimit(10).timeoutMs(60_000).pauseDurationMs(1000)
                .pod("podA", "a0", "a1", "a2", "a3", "a4", "a5").pod("podB", "b0", "b1", "b2").build();
        Supervisor s = supervisor(c);
        stepUntilIdle(s);
        assertEquals(List.of("a0", "b0", "a1", "b1"), launcher.launched.stream()
                .map(p -> p.spec.env().get("SR_PROFILE_ID")).toList());

        RunnerConfig more = TestConfig.builder().globalLimit(8).podLimit(10).timeoutMs(60_000).pauseDurationMs(1000)
                .pod("podA", "a0", "a1", "a2", "a3", "a4", "a5").pod("podB", "b0", "b1", "b2").pod("podC", "c0", "c1")
                .build();
        java.util.concurrent.CompletableFuture<ReloadSummary> reloaded = s.requestReload(more);
        stepUntilIdle(s);
        assertTrue(reloaded.isDone());
        // numbered as if it had been there from the start: it catches up on the turns it missed
        assertEquals(List.of("c0", "c1", "a2", "b2"), launcher.launched.stream().skip(4)
                .map(p -> p.spec.env().get("SR_PROFILE_ID")).toList(), "a pod the reload adds takes its turns too");
    }

    private static void stepUntilIdle(Supervisor s) {
        for (int turn = 0; turn < 10; turn++) {
            s.step();
        }
    }

    /**
     * A stop requested after the turn looked for one, whose wake the turn's last drain of the
     * inbox took (here, during the launch the turn hands over): the loop does not sleep on it.
     */
    @Test
    void aStopRequestedLateInATurnIsBegunWithoutWaiting() {
        AtomicReference<Supervisor> running = new AtomicReference<>();
        Supervisor s = new Supervisor(oneProfile(600_000, 0, 0, 3), new SupervisorDeps(store, sink, launcher, table,
                time, new Random(7), Path.of("target/test-logs"), events -> { }, diagnostics::add, launch -> {
                    launch.run();
                    running.get().requestStop();
                }, recoveryActions, null));
        running.set(s);
        s.start();

        s.step();
        assertEquals(1, launcher.launched.size());
        assertEquals(time.nanoTime(), s.nextWakeNanos(time.nanoTime()), "the stop is begun at once");
        s.step();
        s.step(); // the stopped session's end (the fake's stop completes at once)
        assertEquals(List.of("start", "error"), sink.names("p1"));
        assertEquals("shutdown", lastEvent().params().get("reason"));
    }

    @Test
    void aTurnStartsAtMostASliceAndTheNextTurnComesAtOnce() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add("p" + i);
        }
        Supervisor s = supervisor(TestConfig.builder().globalLimit(1000).podLimit(1000).timeoutMs(60_000)
                .pod("podA", ids).build());

        s.step();

        assertEquals(StartPass.STARTS_PER_TURN, launcher.launched.size(), "one slice, written before its launches");
        assertEquals(time.nanoTime(), s.nextWakeNanos(time.nanoTime()), "more can start: no wait");
        s.step();
        s.step();
        s.step();
        assertEquals(100, launcher.launched.size());
        assertTrue(s.nextWakeNanos(time.nanoTime()) > time.nanoTime(), "nothing left to start: the loop may wait");
    }

    /** Regression: with the global limit full, the loop spun at 90 % of a core (bench/api.sh, 1 000 profiles). */
    @Test
    void profilesWaitingForAFreeSlotDoNotKeepTheLoopAwake() {
        RunnerConfig c = TestConfig.builder().globalLimit(1).pod("podA", "a", "b", "c").build();
        Supervisor s = supervisor(c);
        s.step();
        assertEquals(1, launcher.launched.size(), "global limit 1: b and c wait");
        long now = time.nanoTime();
        assertTrue(s.nextWakeNanos(now) - now >= java.util.concurrent.TimeUnit.SECONDS.toNanos(1),
                "nothing is due before the running session's next output poll");
        launcher.last().exit(0);
        s.step();
        assertEquals(2, launcher.launched.size(), "the freed slot goes to the next profile at once");
    }

    /** Regression of the fix above: a profile that may start now (here, right after start-up) wakes the loop at once. */
    @Test
    void aProfileThatMayStartNowWakesTheLoopAtOnce() {
        RunnerConfig c = TestConfig.builder().globalLimit(1).pod("podA", "a", "b").build();
        Supervisor s = supervisor(c);
        long now = time.nanoTime();
        assertEquals(now, s.nextWakeNanos(now), "a may start: wake now, not at the 5 s tick");
    }
}
