package io.smartrunner.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smartrunner.config.BreakerSettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.testkit.TestConfig;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The start names the pods whose breaker can never open (the reviewer's pod of 4 found out in an outage). */
class PodsWithoutBreakerTest {
    private static RunnerConfig withBreaker(RunnerConfig c, BreakerSettings breaker) {
        return new RunnerConfig(c.source(), c.runner(), c.session(), c.recovery(), c.browser(), c.http(), c.alerts(),
                c.pods(), c.secretValues(), breaker);
    }

    @Test
    void namesEachPodSmallerThanMinProfilesWhoseBreakerIsOn() {
        RunnerConfig c = withBreaker(TestConfig.builder().pod("small", "s1", "s2", "s3", "s4")
                .pod("big", IntStream.range(0, 5).mapToObj(i -> "b" + i).toList()).pod("solo", "x").build(),
                BreakerSettings.defaults());
        assertEquals("pod(s) small (4 < 5), solo (1 < 5) have fewer profiles than breaker.minProfiles: their breaker"
                + " cannot open, so a shared outage there counts against each profile (breaker.maxPausedShare still"
                + " caps the pauses; docs/failure-classes.md)", PodsWithoutBreaker.notice(c));
    }

    @Test
    void saysNothingWhenTheBreakerIsOffOrEveryPodIsLargeEnough() {
        assertNull(PodsWithoutBreaker.notice(withBreaker(TestConfig.builder().pod("small", "s1").build(),
                BreakerSettings.OFF)));
        assertNull(PodsWithoutBreaker.notice(withBreaker(TestConfig.builder()
                .pod("big", IntStream.range(0, 5).mapToObj(i -> "b" + i).toList()).build(), BreakerSettings.defaults())));
    }
}
