package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The subreaper-only fallback's rule for which sessions an adopted orphan escaped from (times in ticks). */
class OrphanAttributionTest {
    private final OrphanAttribution rule = new OrphanAttribution(100);

    @Test
    void aTaggedOrphanBelongsToItsSessionAloneAndIsDueWhenThatSessionEnds() {
        rule.started("a", 100);
        rule.started("b", 110);
        Set<String> owners = rule.owners("a", 120);
        assertEquals(Set.of("a"), owners);
        rule.ended("b", 130);
        assertFalse(rule.due(owners), "b's end does not concern a's orphan");
        rule.ended("a", 140);
        assertTrue(rule.due(owners));
    }

    @Test
    void anUntaggedOrphanBelongsToEverySessionRunningWhenItStartedAndWaitsForAllOfThem() {
        rule.started("early", 100);
        rule.ended("early", 150);
        rule.started("a", 120);
        rule.started("b", 160);
        rule.started("later", 300);
        Set<String> owners = rule.owners(null, 200);
        assertEquals(Set.of("a", "b"), owners, "not early (ended before it started), not later (started after)");
        rule.ended("a", 250);
        assertFalse(rule.due(owners), "b still runs");
        rule.ended("b", 400);
        assertTrue(rule.due(owners), "later's running does not hold it");
    }

    @Test
    void sessionsStartingOrEndingInTheOrphansStartTickCountAsRunning() {
        rule.started("a", 100);
        rule.ended("a", 200);
        rule.started("b", 200);
        assertEquals(Set.of("a", "b"), rule.owners("", 200));
    }

    @Test
    void anOrphanNoRunningSessionCanOwnIsDueAtOnce() {
        rule.started("a", 100);
        rule.ended("a", 150);
        Set<String> owners = rule.owners(null, 170);
        assertEquals(Set.of(), owners);
        assertTrue(rule.due(owners));
        assertTrue(rule.due(rule.owners("unknown-session", 170)), "tagged with a session this runner never ran");
    }

    @Test
    void onlyTheLatestEndedSessionsAreRememberedAndRunningOnesNeverForgotten() {
        OrphanAttribution small = new OrphanAttribution(2);
        small.started("running", 1);
        for (int i = 0; i < 5; i++) {
            small.started("s" + i, 10 + i);
            small.ended("s" + i, 20 + i);
        }
        assertEquals(Set.of("running", "s3", "s4"), small.owners(null, 19));
        assertFalse(small.due(small.owners("running", 19)));
    }

    @Test
    void itRemembersTheSessionsThatEndedLastNotTheOnesThatStartedLast() {
        OrphanAttribution small = new OrphanAttribution(2);
        small.started("a", 10);
        small.started("b", 20);
        small.started("c", 30);
        small.ended("c", 40);
        small.ended("a", 50);
        small.ended("b", 60); // three ended, room for two: c, the first to end, is forgotten
        assertEquals(Set.of("a", "b"), small.owners(null, 35));
        small.started("d", 70); // a running session is never forgotten
        small.ended("a", 80);
        assertEquals(Set.of("a", "b"), small.owners(null, 35), "an end said twice counts once");
    }
}
