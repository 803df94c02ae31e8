package io.smartrunner.http;

import com.sun.net.httpserver.HttpExchange;
import io.smartrunner.event.Redactor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
        String text;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            // more than asked for: what the cut goes through is masked whole (Redactor.redactTail)
            long from = Math.max(0, f.length() - bytes - redactor.reachBytes());
            byte[] buf = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(buf);
            text = new String(buf, StandardCharsets.UTF_8);
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            text = "";
        }
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        RunnerHttpServer.send(ex, 200, "text/plain; charset=utf-8", redactor.redactTail(text, bytes));
    }
}
