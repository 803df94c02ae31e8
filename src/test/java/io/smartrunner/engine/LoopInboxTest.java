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
