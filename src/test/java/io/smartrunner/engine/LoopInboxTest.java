package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.process.ExitStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoopInboxTest {
    private final LoopInbox inbox = new LoopInbox();

    @Test
    void aQuietMessageIsHandedOutBeforeOneAddedAfterIt() throws InterruptedException {
        inbox.addQuietly(launched("p1"));
        inbox.add(exited("p1"));
        inbox.await(0, false);
        List<Message> drained = inbox.drain();
        assertEquals(List.of("launched p1", "exited p1"), drained.stream().map(LoopInboxTest::name).toList());
        assertTrue(inbox.drain().isEmpty());
    }

    @Test
    void aQuietMessageAloneEndsTheWaitWithinItsBound() {
        inbox.addQuietly(launched("p1"));
        // without the bound this wait would last a day: the quiet message never wakes the loop
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> inbox.await(Duration.ofDays(1).toNanos(), false));
        assertEquals(List.of("launched p1"), inbox.drain().stream().map(LoopInboxTest::name).toList());
    }

    /** The launch of a session that runs alone: nothing else wakes the loop, which is asleep when the report comes. */
    @Test
    void aQuietMessageAddedWhileTheLoopWaitsEndsTheWaitWithinItsBoundWhenOneMayCome() throws Exception {
        List<Message> drained = new ArrayList<>();
        Thread loop = new Thread(() -> {
            try {
                while (drained.isEmpty()) { // a loop's turns: each waits as long as it may
                    inbox.await(Duration.ofDays(1).toNanos(), true);
                    drained.addAll(inbox.drain());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loop");
        loop.setDaemon(true);
        loop.start();
        while (loop.getState() != Thread.State.TIMED_WAITING) { // asleep in its wait
            Thread.onSpinWait();
        }
        inbox.addQuietly(launched("p1"));

        loop.join(30_000); // without the bound its wait lasts a day: the quiet message does not wake it
        assertFalse(loop.isAlive(), "the loop never saw the quiet message");
        assertEquals(List.of("launched p1"), drained.stream().map(LoopInboxTest::name).toList());
    }

    @Test
    void aSessionsExitIsNeverHandedOutBeforeItsQuietLaunchWhileBothArrive() throws Exception {
        int sessions = 20_000;
        Thread launcher = new Thread(() -> {
            for (int i = 0; i < sessions; i++) {
                inbox.addQuietly(launched("p" + i));
                inbox.add(exited("p" + i));
            }
        });
        launcher.start();
        Map<String, Integer> launchedAt = new HashMap<>();
        List<String> exitBeforeLaunch = new ArrayList<>();
        int seen = 0;
        while (seen < 2 * sessions) {
            inbox.await(Duration.ofSeconds(30).toNanos(), true);
            for (Message m : inbox.drain()) {
                seen++;
                String[] kindAndProfile = name(m).split(" ");
                if (kindAndProfile[0].equals("launched")) {
                    launchedAt.put(kindAndProfile[1], seen);
                } else if (!launchedAt.containsKey(kindAndProfile[1])) {
                    exitBeforeLaunch.add(kindAndProfile[1]);
                }
            }
        }
        launcher.join();
        assertEquals(List.of(), exitBeforeLaunch);
        assertEquals(sessions, launchedAt.size());
    }

    @Test
    void aBatchIsHandedOutWholeInItsPlaceAndOrder() throws InterruptedException {
        inbox.add(exited("before"));
        List<java.util.concurrent.CompletableFuture<String>> replies = inbox.askAll(List.of("a", "b", "c"),
                (id, reply) -> exited(id));
        inbox.add(exited("after"));
        inbox.await(0, false);
        assertEquals(List.of("exited before", "exited a", "exited b", "exited c", "exited after"),
                inbox.drain().stream().map(LoopInboxTest::name).toList());
        assertEquals(3, replies.size());
    }

    /** A pod's pauses handed over while the loop turns: no turn may take some of them and not the rest. */
    @Test
    void aBatchAddedWhileTheLoopDrainsIsNeverSplitBetweenTurns() throws Exception {
        int batches = 2_000;
        int size = 50;
        Thread asker = new Thread(() -> {
            for (int b = 0; b < batches; b++) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    ids.add(b + "-" + i);
                }
                inbox.askAll(ids, (id, reply) -> exited(id));
            }
        });
        asker.start();
        List<String> split = new ArrayList<>();
        int seen = 0;
        while (seen < batches * size) {
            inbox.await(Duration.ofSeconds(30).toNanos(), false);
            Map<String, Integer> perBatch = new HashMap<>();
            for (Message m : inbox.drain()) {
                seen++;
                perBatch.merge(name(m).split(" ")[1].split("-")[0], 1, Integer::sum);
            }
            perBatch.forEach((batch, n) -> {
                if (n != size) {
                    split.add(batch + ": " + n);
                }
            });
        }
        asker.join();
        assertEquals(List.of(), split, "batches a turn took only part of");
    }

    private static Message launched(String profileId) {
        return new Message.Launched(profileId, null, null, null, 0);
    }

    private static Message exited(String profileId) {
        return new Message.Exited(profileId, "s-" + profileId, new ExitStatus(0, null, null, null));
    }

    private static String name(Message m) {
        if (m instanceof Message.Launched l) {
            return "launched " + l.profileId();
        }
        return "exited " + ((Message.Exited) m).profileId();
    }
}
