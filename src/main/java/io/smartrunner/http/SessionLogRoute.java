package io.smartrunner.http;

import com.sun.net.httpserver.HttpExchange;
import io.smartrunner.event.Redactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * {@code GET /api/profiles/{id}/log?stream=stdout|stderr&bytes=N}: the tail of a profile's
 * session log, redacted, at most 1 MiB.
 */
final class SessionLogRoute {
    private static final int MAX_LOG_BYTES = 1 << 20;

    private final Path sessionLogDir;
    private final Redactor redactor;

    SessionLogRoute(Path sessionLogDir, Redactor redactor) {
        this.sessionLogDir = sessionLogDir;
        this.redactor = redactor;
    }

    /**
     * The log's last {@code want} bytes, from {@code .1} too when the live file holds fewer: right
     * after a rotation the live file is (nearly) empty, and the answer was (reviewer R9).
     */
    static byte[] tailAcrossRotation(Path file, int want) throws IOException {
        byte[] live = tail(file, want);
        byte[] older = live.length < want ? tail(file.resolveSibling(file.getFileName() + ".1"), want - live.length)
                : new byte[0];
        byte[] both = new byte[older.length + live.length];
        System.arraycopy(older, 0, both, 0, older.length);
        System.arraycopy(live, 0, both, older.length, live.length);
        return both;
    }

    /** The file's last {@code n} bytes; none when it is missing, or a symbolic link (never served through one). */
    private static byte[] tail(Path file, int n) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(n, size));
            long pos = size - buf.capacity();
            int read;
            do { // until full, or the file shrank (rotated meanwhile)
                read = ch.read(buf, pos + buf.position());
            } while (read > 0 && buf.hasRemaining());
            return java.util.Arrays.copyOf(buf.array(), buf.position());
        } catch (NoSuchFileException e) {
            return new byte[0];
        } catch (IOException e) {
            if (Files.isSymbolicLink(file)) { // ELOOP, which the JDK reports as a plain IOException
                return new byte[0];
            }
            throw e;
        }
    }

    /** @param profileId a configured profile's id (validated, never user text) */
    void send(HttpExchange ex, String profileId) throws IOException {
        Query q = new Query(ex.getRequestURI().getRawQuery(), Set.of("stream", "bytes"));
        String stream = q.get("stream") == null ? "stdout" : q.get("stream");
        if (!stream.equals("stdout") && !stream.equals("stderr")) {
            throw new ApiError(400, "stream: expected stdout or stderr");
        }
        int bytes = (int) q.longIn("bytes", 1, MAX_LOG_BYTES, 64 * 1024);
        // the path is built from a configured profile id and a fixed suffix
        Path file = sessionLogDir.resolve(profileId + "." + stream + ".log");
        // read past the cut: what the read's start goes through is never shown (Redactor.redactTail)
        String tail;
        try {
            tail = redactor.redactTail(n -> {
                try {
                    return new String(tailAcrossRotation(file, n), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, bytes);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        RunnerHttpServer.send(ex, 200, "text/plain; charset=utf-8", tail);
    }
}
