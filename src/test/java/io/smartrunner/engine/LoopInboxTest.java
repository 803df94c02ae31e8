package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        inbox.await(0);
        List<Message> drained = inbox.drain();
        assertEquals(List.of("launched p1", "exited p1"), drained.stream().map(LoopInboxTest::name).toList());
        assertTrue(inbox.drain().isEmpty());
    }

    @Test
    void aQuietMessageAloneEndsTheWaitWithinItsBound() {
        inbox.addQuietly(launched("p1"));
        // without the bound this wait would last a day: the quiet message never wakes the loop
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> inbox.await(Duration.ofDays(1).toNanos()));
        assertEquals(List.of("launched p1"), inbox.drain().stream().map(LoopInboxTest::name).toList());
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
            inbox.await(Duration.ofSeconds(30).toNanos());
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
