package io.smartrunner.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.PostgresFleetProfiles.FleetProfile;
import io.smartrunner.store.StoreException;
import io.smartrunner.time.ManualTimeSource;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The API's recent read of the fleet's profiles: when it reads, when it serves the last read, when it must not. */
class RecentFleetProfilesTest {
    private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2026-12-05T10:00:00Z"));
    private final List<String> said = new CopyOnWriteArrayList<>();

    /** Rows whose one profile is on {@code runner}: tells one read from another. */
    private static List<FleetProfile> rows(String runner) {
        return List.of(new FleetProfile(ProfileState.fresh("p1", "podA"), runner));
    }

    /** A database whose reads answer what the test queues, in order (a read waits for its answer). */
    private static final class Database implements Supplier<List<FleetProfile>> {
        final BlockingQueue<Supplier<List<FleetProfile>>> answers = new LinkedBlockingQueue<>();
        final AtomicInteger reads = new AtomicInteger();
        final BlockingQueue<Integer> started = new LinkedBlockingQueue<>();

        @Override
        public List<FleetProfile> get() {
            started.add(reads.incrementAndGet());
            try {
                Supplier<List<FleetProfile>> a = answers.poll(30, TimeUnit.SECONDS);
                if (a == null) {
                    throw new AssertionError("a read nobody answered");
                }
                return a.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        void answer(String runner) {
            answers.add(() -> rows(runner));
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        io.smartrunner.testkit.Await.until(what, java.time.Duration.ofSeconds(30), condition);
    }

    private static String runnerOf(RecentFleetProfiles.Snapshot s) {
        return s.runners().get("p1");
    }

    @Test
    void aFreshReadIsServedAnOlderOneServedWhileItIsReadAgainInTheBackground() throws Exception {
        Database db = new Database();
        try (RecentFleetProfiles recent = new RecentFleetProfiles(db, time, said::add)) {
            db.answer("alpha");
            assertEquals("alpha", runnerOf(recent.get()));
            time.advanceMillis(RecentFleetProfiles.FRESH_MS);
            assertEquals("alpha", runnerOf(recent.get()));
            assertEquals(1, db.reads.get(), "a read this young is not read again");

            time.advanceMillis(1);
            assertEquals("alpha", runnerOf(recent.get()), "served at once, not after a read");
            assertEquals(1, db.started.poll(30, TimeUnit.SECONDS));
            assertEquals(2, db.started.poll(30, TimeUnit.SECONDS), "read again in the background");
            assertEquals("alpha", runnerOf(recent.get()), "a second request meanwhile starts no second read");
            db.answer("beta");
            await("the background read served", () -> "beta".equals(runnerOf(recent.get())));
            assertEquals(2, db.reads.get());
        }
    }

    @Test
    void aReadOlderThanTheMaximumIsNotServedAndItsFailureReachesTheRequest() {
        Database db = new Database();
        try (RecentFleetProfiles recent = new RecentFleetProfiles(db, time, said::add)) {
            db.answer("alpha");
            recent.get();
            time.advanceMillis(RecentFleetProfiles.MAX_AGE_MS + 1);
            db.answers.add(() -> {
                throw new StoreException("PostgreSQL at 127.0.0.1:5432: connection refused", null);
            });
            StoreException e = assertThrows(StoreException.class, recent::get);
            assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
            db.answer("beta");
            assertEquals("beta", runnerOf(recent.get()), "read as the request waits");
        }
    }

    @Test
    void afterAnInvalidationNoReadBegunBeforeItIsServed() throws Exception {
        Database db = new Database();
        try (RecentFleetProfiles recent = new RecentFleetProfiles(db, time, said::add)) {
            db.answer("alpha");
            recent.get();
            db.started.clear();
            time.advanceMillis(RecentFleetProfiles.FRESH_MS + 1);
            recent.get(); // starts the background read, which waits for its answer
            assertEquals(2, db.started.poll(30, TimeUnit.SECONDS));

            recent.invalidate(); // a control was written: the read under way may be from before it
            CountDownLatch asking = new CountDownLatch(1);
            CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> {
                asking.countDown();
                return runnerOf(recent.get());
            });
            asking.await();
            db.answer("before the control");
            assertEquals(3, db.started.poll(30, TimeUnit.SECONDS), "the request reads again");
            db.answer("after the control");
            assertEquals("after the control", request.get(30, TimeUnit.SECONDS));
            assertEquals("after the control", runnerOf(recent.get()));
            assertEquals(3, db.reads.get());
        }
    }

    @Test
    void aFailingBackgroundReadIsSaidOnceAndItsEndOnce() throws Exception {
        Database db = new Database();
        try (RecentFleetProfiles recent = new RecentFleetProfiles(db, time, said::add)) {
            db.answer("alpha");
            recent.get();
            for (int i = 0; i < 3; i++) {
                time.advanceMillis(RecentFleetProfiles.FRESH_MS + 1);
                int before = db.reads.get();
                db.answers.add(() -> {
                    throw new StoreException("PostgreSQL at 127.0.0.1:5432: connection refused", null);
                });
                // asked until a background read starts (the last one may still be ending)
                await("a background read", () -> {
                    assertEquals("alpha", runnerOf(recent.get()), "the last read is served meanwhile");
                    return db.reads.get() == before + 1;
                });
                await("its failure", () -> db.answers.isEmpty() && !said.isEmpty());
            }
            time.advanceMillis(RecentFleetProfiles.FRESH_MS + 1);
            db.answer("beta");
            int before = db.reads.get();
            await("a background read", () -> {
                recent.get();
                return db.reads.get() == before + 1;
            });
            await("the end of the failures said", () -> said.size() == 2);
            assertEquals(2, said.size(), said.toString());
            assertTrue(said.get(0).contains("cannot read the fleet's profiles (PostgreSQL at 127.0.0.1:5432: connection"
                    + " refused); the API serves the last read for up to 5 s"), said.get(0));
            assertEquals("fleet view: the fleet's profiles read again", said.get(1));
        }
    }

    @Test
    void whileTheApiIsAskedTheFleetsEventsHaveTheRowsReadAgainAndNobodyAskingNothingIsRead() throws Exception {
        Database db = new Database();
        try (RecentFleetProfiles recent = new RecentFleetProfiles(db, time, said::add)) {
            db.answer("alpha");
            recent.get();
            assertEquals(1, db.started.poll(30, TimeUnit.SECONDS));

            time.advanceMillis(RecentFleetProfiles.FRESH_MS + 1);
            recent.changed(); // an event of another runner, the dashboard asked half a second ago
            assertEquals(2, db.started.poll(30, TimeUnit.SECONDS), "read again on the event");
            time.advanceMillis(RecentFleetProfiles.FRESH_MS + 1);
            recent.changed(); // another event during that read
            recent.changed();
            db.answer("beta");
            assertEquals(3, db.started.poll(30, TimeUnit.SECONDS), "the events during a read: one more read after it");
            db.answer("gamma");
            await("the last read served", () -> "gamma".equals(runnerOf(recent.get())));
            assertEquals(3, db.reads.get(), "the two events during the read made one read, and a fresh read is served");

            time.advanceMillis(RecentFleetProfiles.WATCHED_MS + 1);
            recent.changed(); // nobody asked for ten seconds: the dashboard was closed
            recent.changed();
            db.answer("delta");
            time.advanceMillis(1);
            recent.invalidate();
            assertEquals("delta", runnerOf(recent.get()), "the request's own read took the one answer");
            assertEquals(4, db.reads.get(), "no read for the events nobody was looking at");
        }
    }
}
