package io.smartrunner.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Rotation of one log file to {@code file.1} .. {@code file.keep}; older copies are dropped. */
final class LogRotation {
    /**
     * One file's rotations never overlap (a session's rotation aside and the next session's at its
     * open, on a launch thread): a lock per file, striped so that 10 000 profiles' logs need no map.
     */
    private static final Object[] STRIPES = new Object[64];
    /**
     * Where sessions' rotations run, off the loop: a truncation waits for the file's pages being
     * written back, hundreds of milliseconds for a file a child writes flat out, and 30 such logs
     * rotated on the loop one after the other held it for over 30 s (no timer, no start, no API
     * answer, a stop taking 17 s: reviewer R10). As many threads as logs that burst together, up to
     * 32: each waits on its own file's writeback, and with 4 the 30 logs of reviewer R11's burst
     * took turns, each growing to all its child wrote (300 MiB against 1 MiB) before its own.
     * Gone after 30 s without work; a thread in the kernel's wait costs no CPU.
     */
    private static final ThreadPoolExecutor ASIDE = new ThreadPoolExecutor(32, 32, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), io.smartrunner.DaemonThreads.named("sr-log-rotate"));

    static {
        for (int i = 0; i < STRIPES.length; i++) {
            STRIPES[i] = new Object();
        }
        ASIDE.allowCoreThreadTimeOut(true);
    }

    private LogRotation() {
    }

    /** The threads sessions' logs are rotated on, off the loop ({@link SessionLog}). */
    static Executor aside() {
        return ASIDE;
    }

    /**
     * {@link #byCopyTruncate} if the file is still past {@code maxBytes} once no other rotation of it
     * is under way (another may have rotated it meanwhile).
     *
     * @return null when it was not past its cap (any more): nothing done
     */
    static Truncation ifPast(Path file, int keep, long maxBytes) throws IOException {
        return ifPast(file, file, keep, maxBytes);
    }

    /**
     * {@link #ifPast(Path, int, long)} of the file {@code source} opens (a child's descriptor in
     * {@code /proc} when the path no longer leads to its file), its copies named after {@code file}.
     */
    static Truncation ifPast(Path source, Path file, int keep, long maxBytes) throws IOException {
        synchronized (STRIPES[Math.floorMod(file.toAbsolutePath().normalize().hashCode(), STRIPES.length)]) {
            if (source.toFile().length() <= maxBytes) {
                return null;
            }
            return byCopyTruncate(source, file, keep, maxBytes);
        }
    }

    static Path numbered(Path file, int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    /**
     * logrotate's copytruncate, for a file a child is appending to: copy it to {@code .1}, then
     * truncate it to 0. The child keeps its O_APPEND descriptor and goes on writing at offset 0.
     * A file the child took past several caps between two polls goes to several files, each
     * {@code maxBytes}, the newest in {@code .1}; what is left over at its start goes to a file of
     * its own, or, when less than a quarter of the cap, into the next one (so a file just past its
     * cap stays whole in {@code .1}, at most a cap and a quarter, and no sliver pushes a full older
     * file out). Only what the {@code keep} files cannot hold is dropped, the oldest bytes
     * ({@link Truncation#dropped}); before, every byte but the newest {@code maxBytes} was: 9 % of a
     * fast writer's output with 3 files kept (reviewer R9). Whatever the child writes between the
     * end of the copy and the truncation is lost from the logs: the price of never touching the
     * child's descriptors.
     *
     * @return which bytes went to {@code .1}, how long the file was when truncated, what was dropped
     */
    static Truncation byCopyTruncate(Path file, int keep, long maxBytes) throws IOException {
        return byCopyTruncate(file, file, keep, maxBytes);
    }

    private static Truncation byCopyTruncate(Path source, Path file, int keep, long maxBytes) throws IOException {
        try (FileChannel live = FileChannel.open(source, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = live.size();
            long cap = maxBytes > 0 ? maxBytes : Math.max(1, size);
            long full = size / cap;
            long left = size - full * cap; // the oldest bytes, less than a cap
            long needed = left == 0 ? full : left < cap / 4 && full > 0 ? full : full + 1;
            int pieces = keep <= 0 || size == 0 ? 0 : (int) Math.min(keep, needed);
            // piece i (1 = .1, the newest) is [start(i), start(i - 1)); when all fit, the oldest runs from 0
            long firstKept = pieces == 0 ? size : pieces == needed ? 0 : size - (long) pieces * cap;
            if (pieces > 0) {
                shift(file, keep, pieces);
                try {
                    for (int i = 1; i <= pieces; i++) {
                        long from = i == pieces ? firstKept : size - i * cap;
                        copy(live, from, size - (i - 1) * cap, numbered(file, i));
                    }
                } catch (IOException copyFailed) {
                    // a full disk: the copy needs the space the truncation would free, so the file
                    // would stay past its cap for good and the disk full for every other writer (the
                    // store, the event log: no session could start). Its bytes are dropped instead.
                    for (int i = 1; i <= pieces; i++) {
                        Files.deleteIfExists(numbered(file, i));
                    }
                    long length = live.size();
                    live.truncate(0);
                    throw new CopyFailed(file.getFileName() + ": cannot copy it to " + numbered(file, 1).getFileName()
                            + " (" + copyFailed.getMessage() + "); its " + length + " bytes were dropped to keep it"
                            + " within its cap", new Truncation(size, 0, length, 0), copyFailed);
                }
            }
            long length = live.size();
            live.truncate(0);
            long skipped = pieces == 0 ? size : pieces == 1 ? firstKept : size - cap; // where .1 starts
            return new Truncation(skipped, size - skipped, length, pieces == 0 ? 0 : firstKept); // keep 0: none wanted
        }
    }

    private static void copy(FileChannel live, long from, long to, Path into) throws IOException {
        try (FileChannel copy = FileChannel.open(into, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long done = 0;
            while (done < to - from) {
                done += live.transferTo(from + done, to - from - done, copy);
            }
        }
    }

    /** Drops what would move past {@code .keep} and moves every {@code .n} to {@code .n+by}. */
    private static void shift(Path file, int keep, int by) throws IOException {
        for (int n = keep; n > Math.max(0, keep - by); n--) {
            Files.deleteIfExists(numbered(file, n));
        }
        for (int n = keep - by; n >= 1; n--) {
            Path from = numbered(file, n);
            if (Files.exists(from)) {
                Files.move(from, numbered(file, n + by), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** The copy failed; the live file was truncated all the same ({@link #truncation}: nothing copied). */
    static final class CopyFailed extends IOException {
        private final transient Truncation truncation;

        CopyFailed(String message, Truncation truncation, IOException cause) {
            super(message, cause);
            this.truncation = truncation;
        }

        Truncation truncation() {
            return truncation;
        }
    }

    /**
     * @param skipped bytes at the start of the live file that are not in {@code .1} (in {@code .2}
     *                and after, or dropped)
     * @param copied  bytes now in {@code .1}: the live file's [skipped, skipped + copied)
     * @param length  the live file's length when truncated
     * @param dropped the oldest bytes that fitted in none of the kept files
     */
    record Truncation(long skipped, long copied, long length, long dropped) {
    }
}
