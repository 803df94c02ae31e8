package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The API reads profiles from the {@link ProfileBoard} without entering the loop (issue #13): a
 * read is answered while the loop does not turn, and shows every change the loop made, a reload's
 * added and dropped profiles included, in configuration order.
 */
class ProfileBoardTest {
    private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2026-12-01T10:00:00Z"));
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

    private static RunnerConfig fleet(String... ids) {
        return TestConfig.builder().globalLimit(1).cooldownMs(0).maxErrorStreak(100).pod("podA", ids).build();
    }

    private static ProfileState state(Supervisor s, String id) {
        return s.board().states().stream().filter(p -> p.profileId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aReadIsAnsweredWhileTheLoopDoesNotTurnAndShowsEachChangeTheLoopMade() {
        Supervisor s = supervisor(fleet("p1", "p2", "p3"));
        CompletableFuture<List<ProfileState>> askedTheLoop = s.profiles();
        assertEquals(List.of("p1", "p2", "p3"), s.board().states().stream().map(ProfileState::profileId).toList());
        assertFalse(askedTheLoop.isDone(), "a loop snapshot waits for the loop's next turn; the board does not");

        s.step(); // p1 starts (one slot)
        assertTrue(state(s, "p1").running());
        assertFalse(state(s, "p2").running());
        launcher.forProfile("p1").get(0).exit(3);
        s.step(); // p1 failed; p2 takes the slot
        assertEquals(1, state(s, "p1").errorStreak());
        assertTrue(state(s, "p1").needsRecovery());
        assertTrue(state(s, "p2").running(), "the start made in the same turn is there too");
        assertEquals(askedTheLoop.join().size(), 3, "the loop still answers its own snapshot");
    }

    @Test
    void profilesAddedByAReloadAppearAndRemovedOnesGoOnceDropped() {
        Supervisor s = supervisor(fleet("a", "b"));
        s.step(); // a runs
        CompletableFuture<ReloadSummary> added = s.requestReload(fleet("a", "b", "c"));
        s.step();
        assertEquals(List.of("c"), added.join().added());
        assertEquals(List.of("a", "b", "c"), s.board().states().stream().map(ProfileState::profileId).toList(),
                "c is there as soon as the reload is answered");
        s.requestReload(fleet("b", "c"));
        s.step();
        for (int i = 0; i < 3 && s.board().states().size() > 2; i++) {
            launcher.forProfile("a").forEach(p -> p.exit(0));
            time.advance(Duration.ofSeconds(1));
            s.step(); // a's stopped session ends: a is dropped
        }
        assertEquals(List.of("b", "c"), s.board().states().stream().map(ProfileState::profileId).toList());
    }

    /** Reviewer R10: after a reload, /api/summary listed pods out of the file's order (a moved profile kept its place). */
    @Test
    void aReloadListsTheProfilesInTheNewFilesOrder() {
        Supervisor s = supervisor(TestConfig.builder().globalLimit(1).pod("big", "b1", "b2").pod("small", "s1").build());
        s.step();

        s.requestReload(TestConfig.builder().globalLimit(1).pod("big", "b1").pod("small", "s1").pod("newpod", "b2", "n1")
                .build());
        s.step();

        assertEquals(List.of("b1/big", "s1/small", "b2/newpod", "n1/newpod"),
                s.board().states().stream().map(p -> p.profileId() + "/" + p.pod()).toList());
    }
}
