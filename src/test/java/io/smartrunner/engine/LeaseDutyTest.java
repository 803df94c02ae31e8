package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.cluster.LeaseHandoff;
import io.smartrunner.cluster.ProfileLeases;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.PostgresLeases;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.store.TakeoverRows;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The engine in cluster mode, tick by tick: leases from a fake keeper, manual clock, fake launcher. */
class LeaseDutyTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final List<String> diagnostics = new ArrayList<>();
    private final FakeLeases leases = new FakeLeases();

    /** A keeper as the engine sees it: which leases are held, whether the renew deadline passed. */
    static final class FakeLeases implements ProfileLeases {
        final Map<String, Long> held = new ConcurrentHashMap<>();
        volatile String fenced;
        volatile LeaseHandoff loop;
        volatile Collection<String> configured;

        @Override
        public boolean mayRun(String profileId) {
            return fenced == null && held.containsKey(profileId);
        }

        @Override
        public Long epoch(String profileId) {
            return held.get(profileId);
        }

        @Override
        public String fenced() {
            return fenced;
        }

        @Override
        public boolean clustered() {
            return true;
        }

        @Override
        public long fenceGraceMs() {
            return 123;
        }

        @Override
        public void attach(LeaseHandoff handoff) {
            loop = handoff;
        }

        @Override
        public void configured(Collection<String> profileIds) {
            configured = List.copyOf(profileIds);
        }

        @Override
        public void taken(String profileId, long epoch) {
            held.put(profileId, epoch);
        }

        @Override
        public void dropped(String profileId) {
            held.remove(profileId);
        }
    }

    private Supervisor supervisor(RunnerConfig config) {
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(7), Path.of("target/test-logs"), events -> { }, diagnostics::add, Runnable::run,
                new FakeRecoveryActions(), null), leases);
        s.start();
        return s;
    }

    private static RunnerConfig profiles(String... ids) {
        return TestConfig.builder().timeoutMs(60_000).cooldownMs(0).pod("podA", ids).build();
    }

    private static PostgresLeases.Acquired lease(String id, long epoch, ProfileState row,
                                                 TakeoverRows.OpenSession... open) {
        return new PostgresLeases.Acquired(id, epoch, 7L, "host-b:/srv/b", "beta", row, List.of(open));
    }

    private List<EventRecord> events(String profileId, String kind) {
        return sink.events.stream().filter(e -> profileId.equals(e.profileId()) && kind.equals(e.event())).toList();
    }

    @Test
    void onlyProfilesWhoseLeaseIsHeldStartAndTheKeeperIsToldTheConfiguredProfiles() {
        Supervisor s = supervisor(profiles("a", "b"));
        assertEquals(List.of("a", "b"), leases.configured);
        s.step();
        assertEquals(0, launcher.launched.size(), "no lease, no session");

        leases.loop.acquired(List.of(lease("a", 3, null)));
        s.step();
        assertEquals(1, launcher.launched.size());
        assertEquals("a", launcher.last().spec.env().get("SR_PROFILE_ID"));
    }

    @Test
    void pastTheRenewDeadlineTheRunnerStopsItsSessionsAndStartsNoneUntilAHeartbeatLands() {
        Supervisor s = supervisor(profiles("a"));
        leases.loop.acquired(List.of(lease("a", 1, null)));
        s.step();
        assertEquals(1, launcher.launched.size());

        leases.fenced = "self-fencing: the last successful heartbeat was sent 10.2 s ago (renew deadline 10.0 s)";
        s.step(); // the stop completes at once (fake tree), its end arrives as a message
        s.step();
        assertNotNull(launcher.last().stop, "the session's tree was stopped");
        assertEquals(java.time.Duration.ofMillis(123), launcher.last().stopGrace, "with the short grace that fits the TTL");
        EventRecord end = events("a", "error").get(0);
        assertEquals("shutdown", end.params().value(EventParams.REASON));
        assertTrue(String.valueOf(end.params().value(EventParams.MESSAGE)).startsWith("self-fencing: the last successful"),
                String.valueOf(end.params().value(EventParams.MESSAGE)));
        assertEquals(0, store.profiles.get("a").errorStreak(), "not the profile's fault");
        assertTrue(diagnostics.stream().anyMatch(d -> d.startsWith("self-fencing") && d.endsWith("(stopping 1 session(s))")),
                diagnostics.toString());
        time.advanceMillis(5_000);
        s.step();
        assertEquals(1, launcher.launched.size(), "none starts while fenced");

        leases.fenced = null;
        s.step();
        assertEquals(2, launcher.launched.size(), "a heartbeat landed: sessions start again");
    }

    @Test
    void aLaunchStagedBeforeTheRenewDeadlineIsNotStartedWhenTheDeadlinePassesWhileItsRowsAreWritten() {
        Supervisor s = supervisor(profiles("a"));
        leases.loop.acquired(List.of(lease("a", 1, null)));
        // the session's rows land (a launch waits for them), and the renew deadline passes meanwhile
        store.afterWrite = w -> {
            if (w.sessions().stream().anyMatch(r -> r.status() == SessionRecord.Status.RUNNING)) {
                leases.fenced = "self-fencing: the last successful heartbeat was sent 10.1 s ago (renew deadline 10.0 s)";
            }
        };
        s.step();
        s.step(); // the refused launch's end arrives as a message
        assertEquals(0, launcher.launched.size(), "no process: the deadline passed before the hand-over");
        EventRecord end = events("a", "error").get(0);
        assertEquals(events("a", "start").get(0).sessionId(), end.sessionId());
        assertTrue(String.valueOf(end.params().value(EventParams.MESSAGE)).startsWith("not started: "
                + LeaseDuty.LEASE_LOST), String.valueOf(end.params().value(EventParams.MESSAGE)));
        assertEquals(SessionRecord.Status.FAILED, store.sessions.get(end.sessionId()).status());
    }

    @Test
    void aLostLeaseStopsItsSession() {
        Supervisor s = supervisor(profiles("a"));
        leases.loop.acquired(List.of(lease("a", 1, null)));
        s.step();
        leases.held.clear(); // the keeper found it taken over
        s.step();
        s.step();
        assertEquals(LeaseDuty.LEASE_LOST, events("a", "error").get(0).params().value(EventParams.MESSAGE));
    }

    @Test
    void takeOverClosesTheOldHoldersOpenSessionWithExactlyOneLostEventThatDoesNotCount() {
        Supervisor s = supervisor(profiles("a", "b"));
        ProfileState row = new ProfileState("a", "podA", 2, true, false, false, null, "s-old", "exit 1",
                T0.minusSeconds(30), T0.minusSeconds(60), 0, null);
        SessionRecord open = new SessionRecord("s-old", "a", "podA", 4242, 99, 4242, T0.minusSeconds(30),
                SessionRecord.Status.RUNNING, null, null, null);
        SessionRecord endedElsewhere = new SessionRecord("s-b", "b", "podA", 4243, 99, 4243, T0.minusSeconds(20),
                SessionRecord.Status.RUNNING, null, null, null);
        leases.loop.acquired(List.of(lease("a", 5, row, new TakeoverRows.OpenSession(open, null, null)),
                lease("b", 2, null, new TakeoverRows.OpenSession(endedElsewhere, "error", "exit"))));
        s.step();

        List<EventRecord> lost = events("a", "error");
        assertEquals(1, lost.size());
        assertEquals("s-old", lost.get(0).sessionId());
        assertEquals("lost", lost.get(0).params().value(EventParams.REASON));
        assertEquals("infrastructure", lost.get(0).params().value(EventParams.FAILURE_CLASS));
        assertEquals(2, store.profiles.get("a").errorStreak(), "the streak is unchanged");
        assertFalse(store.profiles.get("a").paused());
        assertEquals(SessionRecord.Status.FAILED, store.sessions.get("s-old").status());
        assertEquals("lost", store.sessions.get("s-old").reason());
        assertTrue(events("b", "error").isEmpty(), "its end is already in the fleet's events: no second one");
        assertEquals(SessionRecord.Status.FAILED, store.sessions.get("s-b").status());
        assertEquals(2, launcher.launched.size(), "both run again here");

        s.step();
        assertEquals(1, events("a", "error").size(), "once");
    }

    @Test
    void aTakeoverIsOneEventAndOneLinePerPreviousHolderBeforeTheLostEndsAndFreeLeasesAreNone() {
        Supervisor s = supervisor(profiles("a", "b", "c", "d"));
        SessionRecord open = new SessionRecord("s-a", "a", "podA", 4242, 99, 4242, T0.minusSeconds(30),
                SessionRecord.Status.RUNNING, null, null, null);
        leases.loop.acquired(List.of(lease("a", 5, null, new TakeoverRows.OpenSession(open, null, null)),
                lease("b", 2, null),
                new PostgresLeases.Acquired("c", 1, null, null, null, null, List.of()), // free: given back or new
                new PostgresLeases.Acquired("d", 4, 9L, "host-g:/srv/g", "gamma", null, List.of())));
        s.step();

        List<EventRecord> takeovers = sink.events.stream().filter(e -> "takeover".equals(e.event())).toList();
        assertEquals(2, takeovers.size(), takeovers.toString());
        EventRecord beta = takeovers.get(0);
        assertEquals("runner", io.smartrunner.event.EventKinds.encode(beta).type());
        assertNull(beta.profileId());
        assertEquals("beta", beta.params().value(EventParams.FROM));
        assertEquals(2, beta.params().value(EventParams.PROFILES));
        assertEquals("a, b", beta.params().value(EventParams.PROFILE_IDS));
        assertEquals(1, beta.params().value(EventParams.SESSIONS_OPEN));
        assertEquals("gamma", takeovers.get(1).params().value(EventParams.FROM));
        assertEquals("d", takeovers.get(1).params().value(EventParams.PROFILE_IDS));
        assertTrue(sink.events.indexOf(beta) < sink.events.indexOf(events("a", "error").get(0)),
                "the takeover comes before the lost end it causes");
        assertEquals(List.of("took over 2 profile lease(s) from runner beta, which stopped renewing them"
                + " (1 session(s) it ran closed here): a, b",
                "took over 1 profile lease(s) from runner gamma, which stopped renewing them: d"),
                diagnostics.stream().filter(d -> d.startsWith("took ")).toList(), "a free lease (c) is no takeover");
    }

    @Test
    void onlyTheHolderEndsAPauseAndIdleProfilesAreGivenBack() throws Exception {
        Supervisor s = supervisor(profiles("a", "b"));
        ProfileState paused = new ProfileState("a", "podA", 0, false, false, true, T0.plusSeconds(10), null, null,
                null, null, 1, T0);
        time.advanceMillis(20_000);
        s.step();
        assertTrue(events("a", "unpause").isEmpty());
        leases.loop.acquired(List.of(lease("a", 1, paused), lease("b", 1, null)));
        s.step();
        assertEquals(1, events("a", "unpause").size(), "the holder unpauses, once");

        launcher.launched.stream().filter(p -> "a".equals(p.spec.env().get("SR_PROFILE_ID"))).findFirst().orElseThrow()
                .exit(0);
        var given = leases.loop.giveBack(List.of("a", "b"), 2);
        s.step();
        assertEquals(List.of("a"), given.get(1, TimeUnit.SECONDS), "b is running: kept");
        assertNull(leases.epoch("a"));
        assertEquals(1L, leases.epoch("b"));
    }

    @Test
    void aBusyProfileTheKeeperWantsBackStartsNoNewSessionAndIsGivenBackOnceIdle() throws Exception {
        Supervisor s = supervisor(profiles("a"));
        leases.loop.acquired(List.of(lease("a", 1, null)));
        s.step();
        assertEquals(1, launcher.launched.size());
        var first = leases.loop.giveBack(List.of("a"), 1);
        s.step();
        assertEquals(List.of(), first.get(1, TimeUnit.SECONDS), "running: not given yet");
        launcher.last().exit(0);
        s.step();
        s.step();
        assertEquals(1, launcher.launched.size(), "held back from starting again");
        var second = leases.loop.giveBack(List.of("a"), 1);
        s.step();
        assertEquals(List.of("a"), second.get(1, TimeUnit.SECONDS));
        assertNull(leases.epoch("a"));

        leases.loop.acquired(List.of(lease("a", 2, null)));
        leases.loop.giveBack(List.of(), 0); // balanced again
        s.step();
        assertEquals(2, launcher.launched.size(), "taken again: it runs");
    }
}
