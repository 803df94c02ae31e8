package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.cluster.NotifyListener;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventJson;
import io.smartrunner.event.EventLog;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.store.PostgresEvents;
import io.smartrunner.store.PostgresStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        RunnerConfig cfg = config.loadToInspect();
        if (cfg.store().kind() == StoreSettings.Kind.POSTGRES) {
            fleet(cfg);
            return 0;
        }
        Path log = cfg.runner().eventLog();
        if (!Files.exists(log) && !follow) {
            throw new SmartRunnerException(log + ": no event log yet (has the runner run?)");
        }
        Predicate<EventRecord> filter = new EventFilter(pod, profile, event); // event: the wire's word, via the codec
        // the rotated files too, oldest first; --follow goes on across rotations
        try (EventLog events = EventLog.open(log)) {
            events.tail(lines, filter).forEach(EventsCommand::print);
            events.skippedFiles().forEach(note -> System.err.println("smart-runner: " + note));
            if (events.malformedNotice() != null) {
                System.err.println("smart-runner: " + events.malformedNotice());
            }
            if (follow) {
                events.follow(filter, EventsCommand::print, () -> true, EventLogReader.DEFAULT_POLL_INTERVAL);
            }
        }
        return 0;
    }

    /**
     * Cluster mode: the fleet's events from PostgreSQL; {@code --follow} wakes on each NOTIFY of
     * a new event (and looks every second anyway, in case a notification was lost), and rides out
     * the database going away ({@link FleetEventFollower}). A database it cannot reach at start is
     * one line and exit 1, as for every command: nothing was printed yet, and a wrong host or
     * password would otherwise look like an outage that never ends.
     */
    private void fleet(RunnerConfig cfg) {
        EventFilter filter = new EventFilter(pod, profile, event);
        try (PostgresStateStore store = RunnerHome.postgres(cfg)) {
            PostgresEvents events = store.events();
            EventLogReader.Page last = events.pageBefore(Long.MAX_VALUE, Math.max(lines, 1), filter);
            List<EventRecord> tail = last.events();
            tail.subList(Math.max(0, tail.size() - lines), tail.size()).forEach(EventsCommand::print);
            if (!follow) {
                return;
            }
            FleetEventFollower follower = new FleetEventFollower((cursor, limit) -> events.pageAfter(cursor, limit,
                    filter), last.next(), store.members().where(), EventsCommand::print,
                    line -> System.err.println("smart-runner: " + line));
            // the follower says an outage once: the listener's own lines would say it again (it only wakes it)
            try (NotifyListener listener = new NotifyListener(cfg.store(), List.of(PostgresEvents.CHANNEL),
                    (channel, payload) -> follower.wake(), line -> { }).start()) {
                follower.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
