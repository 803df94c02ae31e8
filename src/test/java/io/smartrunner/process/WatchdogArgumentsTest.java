package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A live runner named by its process watchdog's arguments, whatever its own command line. */
class WatchdogArgumentsTest {
    @Test
    void theDeathWatchNamesItsRunnerAndTheRunnersId() {
        List<String> argv = List.of("/opt/smart-runner/target/sr-death-watch", "4242", "/sys/fs/cgroup/x", "id-1");
        assertTrue(ProcessWatchdog.watches(argv, 4242, "id-1"));
        assertFalse(ProcessWatchdog.watches(argv, 4243, "id-1"), "another runner's");
        assertFalse(ProcessWatchdog.watches(argv, 4242, "id-2"), "another data dir's");
        assertTrue(ProcessWatchdog.watches(List.of("sr-death-watch", "4242", "-", "id-1"), 4242, "id-1"));
        List<String> withLock = List.of("/opt/smart-runner/target/sr-death-watch", "4242", "-", "id-1", "/d/runner.lock");
        assertTrue(ProcessWatchdog.watches(withLock, 4242, "id-1"), "since session 52, with the data dir's lock file");
        assertFalse(ProcessWatchdog.watches(withLock, 4242, "id-2"));
        assertFalse(ProcessWatchdog.watches(List.of("/usr/bin/not-sr-death-watch", "4242", "-", "id-1"), 4242, "id-1"));
        assertFalse(ProcessWatchdog.watches(List.of("sleep", "4242", "-", "id-1"), 4242, "id-1"));
    }

    @Test
    void theBashWatchdogToo() {
        List<String> argv = List.of("bash", "-c", "script", "smart-runner-watchdog", "4242", "0", "-", "id-1");
        assertTrue(ProcessWatchdog.watches(argv, 4242, "id-1"));
        assertFalse(ProcessWatchdog.watches(argv, 4242, "id-2"));
        assertFalse(ProcessWatchdog.watches(argv.subList(0, 7), 4242, "-"), "cut short");
    }
}
