package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.event.EventJson;
import io.smartrunner.event.EventLog;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code events}: the last events of the log as JSON lines, filtered, optionally followed live. */
@Command(name = "events", description = "Print the last events (JSON lines); --follow keeps printing new ones.")
final class EventsCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = {"-f", "--follow"}, description = "keep printing events as they are written (Ctrl-C to stop)")
    boolean follow;

    @Option(names = "--pod", paramLabel = "POD", converter = IdArgument.class)
    String pod;

    @Option(names = "--profile", paramLabel = "ID", converter = IdArgument.class)
    String profile;

    @Option(names = "--event", paramLabel = "EVENT", description = "one of: ${COMPLETION-CANDIDATES}",
            completionCandidates = EventKinds.class)
    String event;

    @Option(names = {"-n", "--lines"}, defaultValue = "20", description = "how many past events (default ${DEFAULT-VALUE})")
    int lines;

    @Override
    public Integer call() {
        UsageError.requireIn("--lines", lines, 0, Integer.MAX_VALUE);
        if (event != null && !Events.KINDS.contains(event)) {
            throw new SmartRunnerException("--event: \"" + event + "\" is not an event kind, expected one of "
                    + String.join(", ", Events.KINDS), null, UsageError.EXIT);
        }
        Path log = config.loadToInspect().runner().eventLog();
        if (!Files.exists(log) && !follow) {
            throw new SmartRunnerException(log + ": no event log yet (has the runner run?)");
        }
        Predicate<EventRecord> filter = new EventFilter(pod, profile, event); // event: the wire's word, via the codec
        // the rotated files too, oldest first; --follow goes on across rotations
        try (EventLog events = EventLog.open(log)) {
            events.tail(lines, filter).forEach(EventsCommand::print);
            if (events.malformedNotice() != null) {
                System.err.println("smart-runner: " + events.malformedNotice());
            }
            if (follow) {
                events.follow(filter, EventsCommand::print, () -> true, EventLogReader.DEFAULT_POLL_INTERVAL);
            }
        }
        return 0;
    }

    private static void print(EventRecord e) {
        System.out.println(EventJson.toLine(e));
        System.out.flush();
    }

    /** The kinds {@code --event} accepts, for the usage text. */
    static final class EventKinds implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Events.KINDS.iterator();
        }
    }
}
