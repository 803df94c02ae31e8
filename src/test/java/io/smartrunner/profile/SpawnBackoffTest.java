package io.smartrunner.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SpawnBackoffTest {
    @Test
    void doublesFromOneSecondUpToFiveMinutes() {
        assertEquals(Duration.ofSeconds(1), SpawnBackoff.after(1));
        assertEquals(Duration.ofSeconds(2), SpawnBackoff.after(2));
        assertEquals(Duration.ofSeconds(4), SpawnBackoff.after(3));
        assertEquals(Duration.ofSeconds(256), SpawnBackoff.after(9));
        assertEquals(Duration.ofMinutes(5), SpawnBackoff.after(10));
        assertEquals(Duration.ofMinutes(5), SpawnBackoff.after(1_000_000));
        assertEquals(Duration.ofSeconds(1), SpawnBackoff.after(0));
    }
}
