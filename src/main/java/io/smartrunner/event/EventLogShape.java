package io.smartrunner.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Tells whether an existing file looks like a JSON Lines event log before the runner appends to
 * it or cuts its torn tail: a file that is something else (a database, a key, a document named by
 * mistake) would be damaged by both. Reads at most the first {@link #FIRST_LINE_MAX} bytes.
 */
public final class EventLogShape {
    /** Far above any event line; a first line longer than this is judged by its first byte. */
    static final int FIRST_LINE_MAX = 1 << 20;
    private static final int CHUNK = 8 * 1024;
    private static final JsonFactory JSON = new JsonFactory();

    private EventLogShape() {
    }

    /**
     * Passes when the file is missing, empty, or its first line is empty or a JSON object; a first
     * line with no '\n' yet (torn by a crash mid-write of the first event) must start with '{'.
     *
     * @throws EventLogException with one line when the file is not an event log (a FIFO, a socket: its
     *                           open would block), or cannot be read
     */
    public static void require(Path file) {
        String blocking = LogFileChannels.blockingKind(file);
        if (blocking != null) { // reading or appending would wait for its other end, maybe for ever
            throw new EventLogException(file + ": is " + blocking + ", not a file; refusing to read or append to it"
                    + " (check runner.eventLog)", null);
        }
        if (!Files.isRegularFile(file)) {
            return;
        }
        byte[] head;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            head = firstLine(ch);
        } catch (IOException e) {
            throw new EventLogException(file + ": cannot read event log: " + JsonlEventSink.reason(e), e);
        }
        if (!looksLikeEventLog(head)) {
            throw new EventLogException(file + ": does not look like an event log: its first line is not a JSON"
                    + " object; refusing to append to it (check runner.eventLog)", null);
        }
    }

    /**
     * The file's head up to its first '\n' (included) or {@link #FIRST_LINE_MAX}, read a few KiB at
     * a time: an event line is a few hundred bytes, and each start reads this head more than once.
     */
    private static byte[] firstLine(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(FIRST_LINE_MAX, ch.size()));
        int scanned = 0;
        while (buf.hasRemaining()) {
            ByteBuffer chunk = buf.duplicate();
            chunk.limit(Math.min(buf.capacity(), buf.position() + CHUNK));
            int n = ch.read(chunk);
            if (n <= 0) {
                break;
            }
            buf.position(chunk.position());
            for (; scanned < buf.position(); scanned++) {
                if (buf.get(scanned) == '\n') {
                    return Arrays.copyOf(buf.array(), scanned + 1);
                }
            }
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    static boolean looksLikeEventLog(byte[] head) {
        int newline = indexOf(head, (byte) '\n');
        if (newline < 0) {
            int first = 0;
            while (first < head.length && Character.isWhitespace(head[first])) {
                first++;
            }
            return first == head.length || head[first] == '{';
        }
        return isBlankOrObject(head, newline);
    }

    private static boolean isBlankOrObject(byte[] line, int length) {
        try (JsonParser parser = JSON.createParser(line, 0, length)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return true;
            }
            if (first != JsonToken.START_OBJECT) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false; // not JSON at all (binary, text)
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
