package io.smartrunner.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.event.Redactor;
import io.smartrunner.http.FleetControl;
import io.smartrunner.profile.PausePolicy;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.store.StateWrite;
import io.smartrunner.testkit.PostgresServer;
import io.smartrunner.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A fleet view's threads end with it: the control writes ({@code sr-control-write}), the shared
 * read of the fleet ({@code sr-fleet-read}) and the waits for relayed controls
 * ({@code sr-control-wait}), each started here by using the view as the API does, then closed.
 */
class FleetViewCloseTest {
    private static final long TTL = 15_000;
    private static final Set<String> THREADS = Set.of("sr-control-write", "sr-fleet-read", "sr-control-wait");

    /** This runner holds nothing: every profile is the fleet's. */
    private static final FleetControl NOTHING_HERE = new FleetControl() {
        @Override
        public CompletableFuture<List<ProfileState>> profiles() {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletableFuture<ManualReply> request(ManualRequest request) {
            throw new AssertionError("nothing is held here");
        }

        @Override
        public CompletableFuture<io.smartrunner.engine.ReloadSummary> reload() {
            throw new AssertionError("not asked");
        }
    };

    /** Threads of these names alive now, but none of {@code other}: another view's in this JVM. */
    private static List<Thread> alive(Set<Thread> other) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> THREADS.contains(t.getName()) && t.isAlive() && !other.contains(t)).toList();
    }

    @Test
    void closingTheViewEndsEveryThreadItStarted() throws Exception {
        Set<Thread> before = Set.copyOf(alive(Set.of()));
        String url = PostgresServer.shared().newDatabase("fleet_view_close");
        ManualTimeSource time = new ManualTimeSource(Instant.parse("2026-12-05T09:00:00Z"));
        try (PostgresStateStore store = PostgresStateStore.open(
                StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/data")) {
            store.write(new StateWrite(List.of(ProfileState.fresh("p1", "podA")), List.of()));
            UnheldControl unheld = new UnheldControl(store, new ProfileRules(new PausePolicy(3, Duration.ofHours(24), 1.0,
                    Duration.ofDays(7))), new Redactor(Set.of()), TTL, time);
            FleetView view = new FleetView(NOTHING_HERE, store.fleetProfiles(TTL), store.controls(), unheld, "alpha",
                    id -> false, time, said -> { });

            assertEquals(1, view.profiles().get(10, TimeUnit.SECONDS).size());
            time.advanceMillis(RecentFleetProfiles.FRESH_MS + 1);
            view.profiles().get(10, TimeUnit.SECONDS); // served, and read again in the background
            ManualReply paused = view.request(new ManualRequest.Pause("p1", Duration.ofHours(1), "maintenance", "api"))
                    .get(10, TimeUnit.SECONDS); // nobody holds p1: written by this view's write thread
            assertEquals(ManualReply.Outcome.DONE, paused.outcome(), String.valueOf(paused));
            assertEquals(THREADS, Set.copyOf(alive(before).stream().map(Thread::getName).toList()), "all three started");

            view.close();
            for (Thread t : alive(before)) {
                t.join(5_000);
            }
            assertEquals(List.of(), alive(before));
        }
    }
}
