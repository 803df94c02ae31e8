package io.smartrunner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The shipped unit restarts a runner that a session's own child stopped with SIGTERM (`kill $PPID`:
 * a clean stop, exit 0, which Restart=on-failure left down), and not one whose configuration was
 * refused (exit 2: it would be refused again).
 */
class SystemdUnitRestartTest {
    @Test
    void theUnitRestartsACleanStopItDidNotAskForButNotARefusedConfiguration() throws Exception {
        Map<String, String> service = Files.readAllLines(Path.of("deploy/systemd/smart-runner.service")).stream()
                .map(String::strip).filter(l -> !l.startsWith("#") && l.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1),
                        (a, b) -> b));

        assertEquals("always", service.get("Restart"));
        assertEquals("2", service.get("RestartPreventExitStatus"));
    }
}
