package io.smartrunner.process;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Executor;

/**
 * One session's view of one log file (stdout or stderr) that earlier sessions of the profile
 * also appended to: how much this session wrote, and what. Thread-safe.
 */
final class SessionLog {
    /**
     * A file this many looks in a row found unchanged is watched (2-3 s of quiet with a poll a
     * second, the first look not counted): armed at the first quiet look, each of a fleet's
     * two-second sessions armed a watch and removed it again at its end (six system calls on the
     * loop, forty-fifth session) to save a poll or two.
     */
    static final int QUIET_LOOKS_BEFORE_WATCH = 2;
    private final Path file;
    private final long maxBytes;
    private final int keep;
    /** Offset in the live file where this session's output starts. */
    private long base;
    /** This session's bytes already rotated out of the live file. */
    private long carried;
    /** Where this session's bytes start in {@code .1} and where they end; -1 = none there. */
    private long rotatedFrom = -1;
    private long rotatedTo;
    private long reported;
    /** Tells this log when its quiet file is next touched; null: every poll looks at the file. */
    private final QuietLogWatch watch;
    /** The file's size at the last look, to tell a poll that found nothing new; -1 before the first look. */
    private long lastSize = -1;
    /** Looks in a row that found the file as the one before ({@link #QUIET_LOOKS_BEFORE_WATCH}). */
    private int quietLooks;
    /** The watch's descriptor while the file is watched and untouched since; -1 otherwise. */
    private int watched = -1;
    private volatile boolean touched;
    /** Told when the watched file is touched ({@link #onTouched}); null: nobody. */
    private volatile Runnable whenTouched;
    /** The session ended, or its file could not be watched (no such file, no watches left): polls look. */
    private boolean alwaysLook;
    /** How many polls looked at the file (for tests). */
    private long looks;
    /** Bytes rotations dropped: more than the kept files hold, written between two polls. */
    private long dropped;
    /** The child's own descriptor for this file ({@code /proc/PID/fd/N}) while it runs, else null. */
    private volatile Path descriptor;
    /** The path was found not to lead to the child's file while the session ran (said once). */
    private boolean removedSaid;
    /** The identity (device, inode) of the file the child writes, from the first look; null before. */
    private Object childsFile;
    /** Where a rotation runs, off the caller's thread ({@link LogRotation#aside}), or in the poll itself. */
    private final Executor rotator;
    /** No rotator was given: the poll rotates, and says a failed rotation itself. */
    private final boolean rotatesInPoll;
    /** A rotation is under way on the {@link #rotator}: polls count without rotating, reads wait for it. */
    private boolean rotating;
    /** The file that rotation truncates: the path, or the child's descriptor ({@link #measuredThroughTheChild}). */
    private Path rotatingFrom;
    /** What the last rotation aside failed with, thrown by the next poll (which reports failures). */
    private ProcessException rotationFailed;

    private SessionLog(Path file, long maxBytes, int keep, long base, QuietLogWatch watch, Executor rotator) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        this.base = base;
        this.watch = watch;
        this.rotator = rotator != null ? rotator : Runnable::run;
        this.rotatesInPoll = rotator == null;
    }

    /** Before launch: creates the directory, rotates a file already past its cap, notes its size. */
    static SessionLog open(Path file, long maxBytes, int keep) throws IOException {
        return open(file, maxBytes, keep, null);
    }

    /** {@link #open(Path, long, int)}, with polls of a quiet file answered by {@code watch} (null: none). */
    static SessionLog open(Path file, long maxBytes, int keep, QuietLogWatch watch) throws IOException {
        return open(file, maxBytes, keep, watch, null);
    }

    /**
     * {@link #open(Path, long, int, QuietLogWatch)}, the rotations during the session run on
     * {@code rotator} (null: in the poll that finds the file past its cap, as tests want them).
     */
    static SessionLog open(Path file, long maxBytes, int keep, QuietLogWatch watch, Executor rotator) throws IOException {
        // java.io.File's length is one stat that answers 0 for a missing file; Files.size throws there,
        // and a profile's first session (each of a fleet's 10 000) paid two exceptions per log file
        File f = file.toFile();
        long size = f.length();
        if (size > 0 || f.exists()) {
            // the child appends to it and rotation truncates it: never through a link, whose target a root
            // runner would fill and then empty (reviewer R9: a link in a data/logs others could write)
            if (Files.isSymbolicLink(file)) {
                throw new IOException(file + " is a symbolic link: session logs are never written through one"
                        + " (another user may have planted it); remove it");
            }
        } else { // missing: its directory may be missing too (a profile's first session)
            File dir = f.getAbsoluteFile().getParentFile();
            if (dir != null && !dir.isDirectory()) { // createDirectories throws (and catches) when it exists
                Files.createDirectories(dir.toPath());
            }
        }
        if (maxBytes > 0 && size > maxBytes && LogRotation.ifPast(file, keep, maxBytes) != null) {
            size = f.length(); // 0 but for what a session still running wrote since (the last one's leftovers)
        }
        return new SessionLog(file, maxBytes, keep, size, watch, rotator);
    }

    Path file() {
        return file;
    }

    /**
     * Bytes this session has written so far, never decreasing; copy-truncates the file when it
     * is past its cap (so the cap holds only as often as this is called). Exact while nothing is
     * rotated. At a rotation, what the child writes between measuring the file and truncating
     * it is neither kept nor counted: usually nothing, but a child writing flat out while this
     * thread is descheduled or held at a GC safepoint loses megabytes (measured: up to a fifth of
     * a 100 MB burst written at ~1.5 GB/s on two loaded cores). Java offers no atomic
     * "truncate and tell me the old length", and the child's descriptor is not ours to touch.
     *
     * <p>A file {@link #QUIET_LOOKS_BEFORE_WATCH} polls in a row found unchanged is watched by the
     * {@link QuietLogWatch}: until it is touched, polls answer without looking (and so without a
     * system call). The launch is not a look, so a fleet of short sessions arms no watch: armed at
     * the first quiet poll, each of 500 two-second sessions a second cost six system calls more on
     * the loop (a watch and a second look per log, then its removal at the end) to save none
     * (forty-fifth session); a quiet long one pays a few looks more.
     */
    synchronized long poll() {
        if (rotationFailed != null) {
            ProcessException failed = rotationFailed;
            rotationFailed = null;
            throw failed;
        }
        if (rotating) {
            return countedWhileRotating();
        }
        if (watched >= 0) {
            watch.drain();
            if (!touched) {
                return reported;
            }
            watched = -1; // the one-shot watch fired and is gone
        }
        looks++;
        BasicFileAttributes seen = attributesOrMissing(file);
        if (seen != null && childsFile == null) {
            childsFile = seen.fileKey(); // the first look: the file the child was just started on
        }
        if (descriptor != null && (seen == null || !java.util.Objects.equals(childsFile, seen.fileKey()))) {
            return measuredThroughTheChild();
        }
        long size = seen == null ? 0 : seen.size();
        if (maxBytes > 0 && size > maxBytes) {
            return rotateAside(size, file);
        }
        reported = Math.max(reported, carried + Math.max(0, size - base));
        quietLooks = size == lastSize ? quietLooks + 1 : 0;
        if (quietLooks >= QUIET_LOOKS_BEFORE_WATCH && watch != null && !alwaysLook) {
            watchUntilTouched(size);
        }
        lastSize = size;
        return reported;
    }

    /**
     * The path no longer leads to the file the child writes: removed (an operator freeing space) or
     * renamed (logrotate without copytruncate, which may create a new file in its place). The child
     * goes on writing to its file, so its growth is read through the child's own descriptor (from
     * the path alone the session looked silent and was stopped as a hang, its profile blamed:
     * reviewer R9), and it is kept within its cap through it too, its copies where the path's go
     * (a renamed log grew to 200 MiB against a 1 MiB cap, silently: reviewer R10). Said once (as a
     * failed poll, which the loop says).
     */
    private long measuredThroughTheChild() {
        Path through = descriptor;
        long size;
        try {
            size = Files.size(through);
        } catch (IOException e) {
            return reported; // the child closed it, or is gone
        }
        reported = Math.max(reported, carried + Math.max(0, size - base));
        lastSize = size;
        quietLooks = 0;
        if (!removedSaid) {
            removedSaid = true;
            throw new LogReplaced(file + " is no longer the file its session writes to (removed, or renamed as logrotate"
                    + " without copytruncate does): the session's output still goes to that file until it ends, counted"
                    + (maxBytes > 0 ? " and kept within logMaxBytes (copies in " + LogRotation.numbered(file, 1).getFileName()
                    + ")" : "") + " through " + through);
        }
        if (maxBytes > 0 && size > maxBytes) {
            return rotateAside(size, through);
        }
        return reported;
    }

    /** While the child runs, its descriptor {@code fd} (1, 2) reaches this file even if the path is removed. */
    void reachedThrough(long pid, int fd) {
        descriptor = Path.of("/proc/" + pid + "/fd/" + fd);
    }

    /**
     * Counts what the file holds now and hands its rotation to the {@link #rotator}: the caller (the
     * loop) does not wait for the copy and the truncation (reviewer R10: hundreds of milliseconds
     * each, serially for 30 logs). The polls until it is done count without rotating. A rotation
     * made in the poll itself (no rotator) that failed is said by this poll.
     */
    private long rotateAside(long size, Path source) {
        reported = Math.max(reported, carried + Math.max(0, size - base));
        lastSize = size;
        quietLooks = 0;
        rotating = true;
        rotatingFrom = source;
        try {
            rotator.execute(() -> rotateNow(source));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            rotating = false; // never (an unbounded queue), but a log left "rotating" would never be rotated again
            throw new ProcessException("cannot rotate " + file + ": " + e.getMessage(), e);
        }
        if (rotatesInPoll && rotationFailed != null) {
            ProcessException failed = rotationFailed;
            rotationFailed = null;
            throw failed;
        }
        return reported;
    }

    /**
     * The rotator's thread: the rotation, then its books, under the lock only for those.
     *
     * @param source the file to rotate: the path, or the child's descriptor when the path no longer leads to it
     */
    private void rotateNow(Path source) {
        LogRotation.Truncation t = null;
        ProcessException failed = null;
        try {
            t = LogRotation.ifPast(source, file, keep, maxBytes);
        } catch (LogRotation.CopyFailed e) {
            t = e.truncation();
            failed = new ProcessException("cannot rotate " + file + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            failed = new ProcessException("cannot rotate " + file + ": " + e.getMessage(), e);
        }
        synchronized (this) {
            try {
                if (t != null) {
                    rotated(t);
                    lastSize = sizeOf(source);
                    reported = Math.max(reported, carried + Math.max(0, lastSize - base));
                }
            } catch (RuntimeException e) {
                failed = failed != null ? failed : new ProcessException("cannot stat " + file + ": " + e.getMessage(), e);
            } finally {
                rotationFailed = failed;
                rotating = false;
                notifyAll();
            }
        }
    }

    /**
     * A poll while the rotator works: what the file gained past this session's start, if it has not
     * been truncated yet (after, the rotation's own count comes when it is done). Never more than
     * was written, so a writer's activity is still seen (a hang check) and nothing is counted twice.
     */
    private long countedWhileRotating() {
        long size = sizeOf(rotatingFrom);
        if (size > base) {
            reported = Math.max(reported, carried + size - base);
        }
        return reported;
    }

    /** Reads of the files wait for a rotation under way (its shifting and truncating), 5 s at most. */
    private void awaitRotation() {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        boolean interrupted = false;
        while (rotating) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void rotated(LogRotation.Truncation t) {
        dropped += t.dropped();
        carried += Math.max(0, t.length() - base);
        rotatedFrom = keep > 0 && t.copied() > 0 ? Math.min(Math.max(0, base - t.skipped()), t.copied()) : -1;
        rotatedTo = t.copied();
        base = 0;
    }

    private void watchUntilTouched(long size) {
        touched = false;
        int wd = watch.arm(file, this);
        if (wd < 0) {
            alwaysLook = true; // not retried at every poll: this session's polls look, as they did before the watch
            return;
        }
        watched = wd;
        if (sizeOf(file) != size) { // written between the look and the watch: that write made no event
            watch.disarm(wd, this);
            watched = -1;
        }
    }

    /**
     * From the watch (a poll's read, or its own thread at once): the file was touched since it was
     * armed. Takes no lock of this log's: the watch's thread calls it holding the watch's lock,
     * which a poll takes holding this log's.
     */
    void touched() {
        touched = true;
        Runnable told = whenTouched;
        if (told != null) {
            told.run();
        }
    }

    /**
     * {@code told} runs, on the watch's thread, when the file is written after polls found it quiet
     * and stopped looking at it: the log's owner polls it soon, not at its next quiet poll. Must not
     * block (it runs holding the watch's lock).
     */
    void onTouched(Runnable told) {
        whenTouched = told;
    }

    /** The session ended: every poll from now on looks at the file itself (a last one rotates it). */
    synchronized void ended() {
        alwaysLook = true;
        descriptor = null; // the pid may be another process's soon
        if (watched >= 0) {
            watch.disarm(watched, this);
            watched = -1;
        }
    }

    /**
     * Watched and not touched since it was found unchanged: a poll would find nothing new. No
     * system call but, at most once a millisecond for every log, one read of the watch.
     */
    synchronized boolean quiet() {
        if (watched < 0) {
            return false;
        }
        watch.drain();
        return !touched;
    }

    /** Whether polls are being answered without looking at the file (for tests). */
    synchronized boolean watched() {
        return watched >= 0 && !touched;
    }

    synchronized long looks() {
        return looks;
    }

    /** Bytes of this session's file that rotations dropped ({@link LogRotation.Truncation#dropped}). */
    synchronized long dropped() {
        return dropped;
    }

    /** This session's first {@code n} bytes still in the live file. */
    synchronized byte[] head(int n) {
        awaitRotation();
        return read(file, base, Math.min(sizeOf(file), base + n));
    }

    /** The last {@code n} bytes this session wrote, looking into {@code .1} when rotated. */
    synchronized byte[] tail(int n) {
        awaitRotation();
        long size = sizeOf(file);
        long from = Math.max(base, size - n);
        byte[] live = read(file, from, size);
        long missing = n - live.length;
        if (missing <= 0 || rotatedFrom < 0) {
            return live;
        }
        byte[] older = read(LogRotation.numbered(file, 1), Math.max(rotatedFrom, rotatedTo - missing), rotatedTo);
        byte[] both = new byte[older.length + live.length];
        System.arraycopy(older, 0, both, 0, older.length);
        System.arraycopy(live, 0, both, older.length, live.length);
        return both;
    }

    private static byte[] read(Path path, long from, long to) {
        if (to <= from) {
            return new byte[0];
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(to - from, Integer.MAX_VALUE - 8));
            long pos = from;
            while (buf.hasRemaining() && ch.read(buf, pos) > 0) {
                pos = from + buf.position();
            }
            byte[] bytes = new byte[buf.position()];
            buf.flip().get(bytes);
            return bytes;
        } catch (NoSuchFileException e) {
            return new byte[0];
        } catch (IOException e) {
            throw new ProcessException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** The file's size, 0 when there is no such file. */
    private static long sizeOf(Path path) {
        BasicFileAttributes seen = attributesOrMissing(path);
        return seen == null ? 0 : seen.size();
    }

    /** One {@code stat} of the file (its size and identity, as {@link Files#size} makes), null when there is none. */
    private static BasicFileAttributes attributesOrMissing(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ProcessException("cannot stat " + path + ": " + e.getMessage(), e);
        }
    }
}
