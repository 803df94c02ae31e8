package io.smartrunner.cli;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

/**
 * The data dir's record of its runner's run ({@value #FILE}: pid, start, {@code running} or
 * {@code stopped}), so that the next {@code runner-start} can say whether the previous run ended
 * with its stop written or not (killed, crashed, or its last events unwritable). Written at
 * start, under the data dir lock, and rewritten {@code stopped} only once the runner's
 * {@code runner-stop} is durable. A record that cannot be read counts as none.
 */
final class RunRecord {
    static final String FILE = "run.state";
    private static final int MAX_BYTES = 256;
    /** Clocks and file times: a session's event is a later run's only this long after the stop's record. */
    private static final java.time.Duration LATER_RUN_MARGIN = java.time.Duration.ofSeconds(5);
    /** How long a runner's start may take before it records its run (a store upgrade regrouping millions of sessions). */
    private static final java.time.Duration START_BEFORE_RECORD = java.time.Duration.ofHours(1);

    private final Path file;
    private final long pid;
    private final Instant startedAt;

    private RunRecord(Path file, long pid, Instant startedAt) {
        this.file = file;
        this.pid = pid;
        this.startedAt = startedAt;
    }

    /**
     * The previous run as recorded in {@code dataDir}, or null when there is no readable record, or
     * when a runner that keeps none (a release before session 43) ran after a recorded stop: its
     * sessions are in {@code eventLog} after the record was written. A rollback to such a release,
     * killed, then this one again: the record of this release's own earlier run said {@code clean}
     * beside the killed run's {@code lost} sessions (reviewer R19).
     */
    static Events.PreviousRun previous(Path dataDir, Path eventLog) {
        Events.PreviousRun recorded = previous(dataDir);
        if (recorded == null || !recorded.stopped()) {
            return recorded;
        }
        try {
            Instant written = Files.getLastModifiedTime(dataDir.resolve(FILE)).toInstant();
            List<EventRecord> last = Files.isRegularFile(eventLog) ? EventLogReader.tail(eventLog, 1,
                    e -> e instanceof EventRecord.SessionStarted || e instanceof EventRecord.SessionEnded) : List.of();
            boolean laterRun = !last.isEmpty() && last.get(0).ts().isAfter(written.plus(LATER_RUN_MARGIN));
            return laterRun ? null : recorded;
        } catch (IOException | RuntimeException e) {
            return recorded; // the log unreadable here: its start says so itself
        }
    }

    /**
     * The run on record when it is still running: its pid alive, a JVM started before the record
     * (at most {@link #START_BEFORE_RECORD} before: a start upgrading a big store records its run
     * late), and not this process. Under the data dir's lock that means this data dir is a copy of
     * the one that live runner uses (reviewer R20: a renamed jar, an idle runner, sessions started
     * through {@code env -i} all hid the live runner from the look at its children's tags).
     */
    static java.util.Optional<Events.PreviousRun> stillRunning(Path dataDir) {
        Events.PreviousRun recorded = previous(dataDir);
        if (recorded == null || recorded.stopped() || recorded.pid() == ProcessHandle.current().pid()) {
            return java.util.Optional.empty();
        }
        return ProcessHandle.of(recorded.pid()).filter(ProcessHandle::isAlive).filter(h -> {
            ProcessHandle.Info info = h.info();
            Instant started = info.startInstant().orElse(null);
            return started != null && !started.isAfter(recorded.startedAt().plusSeconds(5))
                    && !started.isBefore(recorded.startedAt().minus(START_BEFORE_RECORD))
                    && info.command().map(c -> c.endsWith("/java") || c.equals("java")).orElse(false);
        }).map(h -> recorded);
    }

    /** The previous run as recorded in {@code dataDir}, or null when there is no readable record. */
    static Events.PreviousRun previous(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null; // a FIFO would block the start (reviewer R7), a directory is no record
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            // a record is one short line: a huge file is read no further than that (reviewer R7: 3 GB, an OutOfMemoryError)
            String[] f = new String(in.readNBytes(MAX_BYTES), StandardCharsets.US_ASCII).trim().split(" ");
            if (f.length != 3 || !(f[2].equals("running") || f[2].equals("stopped"))) {
                return null;
            }
            return new Events.PreviousRun(Long.parseLong(f[0]), Instant.parse(f[1]), f[2].equals("stopped"));
        } catch (IOException | RuntimeException e) {
            return null; // none yet (a first run, a data dir of an older release) or torn
        }
    }

    /**
     * Records this run as running.
     *
     * @throws io.smartrunner.SmartRunnerException the data dir cannot be written (the start stops there)
     */
    static RunRecord begin(Path dataDir, long pid, Instant startedAt) {
        RunRecord run = new RunRecord(dataDir.resolve(FILE), pid, startedAt);
        try {
            run.write("running");
        } catch (IOException e) {
            throw new io.smartrunner.SmartRunnerException(run.file + ": cannot record the run: " + e.getMessage(), e);
        }
        return run;
    }

    /** Records this run as stopped, its runner-stop written; said on stderr when it cannot be (the next start then says unclean). */
    void stopped(java.util.function.Consumer<String> say) {
        try {
            write("stopped");
        } catch (IOException e) {
            say.accept(file + ": cannot record the clean stop (the next start will call it unclean): " + e.getMessage());
        }
    }

    /** Replaced whole (a temporary file synced, then moved over it): never a torn record. */
    private void write(String state) throws IOException {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        byte[] line = (pid + " " + startedAt + " " + state + "\n").getBytes(StandardCharsets.US_ASCII);
        // a new file, never one found there (a link planted there would be written through: reviewer R7)
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            ch.write(ByteBuffer.wrap(line));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
