package io.smartrunner.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/event-log.md lists every kind of event a consumer may meet (reviewer O: typed-events.md
 * listed 11 and DESIGN's table 6 of the runner's 22; the only whole list was {@code events --help}).
 */
class EventLogDocTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z-]+)` \\| ([a-z]+) \\| ");

    @Test
    void theEventLogPageListsEveryKindOnce() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("docs/event-log.md"));
        int from = lines.indexOf("## Every kind of event");
        Set<String> listed = new LinkedHashSet<>();
        for (String line : lines.subList(from, lines.size())) {
            if (line.startsWith("## ") && !listed.isEmpty()) {
                break;
            }
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                listed.add(m.group(1));
            }
        }
        assertEquals(new LinkedHashSet<>(EventKinds.NAMES), listed);
    }
}
