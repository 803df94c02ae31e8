package io.smartrunner.event;

/**
 * Turns one complete log line into an event for {@link EventLogReader}, and counts and locates the
 * lines that are not events (torn, edited by hand): by line number when the read started at the
 * file's beginning, else by byte offset. Blank lines are neither. Not thread-safe.
 */
final class LineParser {
    private long skippedLines;
    /** The first skipped line's number (read forwards from the start), else -1. */
    private long firstSkippedLine = -1;
    /** The lowest offset of a skipped line whose number is not known, else -1. */
    private long firstSkippedByte = -1;
    /** While a forward read from the file's start runs: the number of the line being parsed, else -1. */
    private long lineNumber = -1;
    private long lineStart = -1;

    /** A forward read starts at {@code fromOffset}: line numbers are known only from the file's start. */
    void forwardFrom(long fromOffset) {
        lineNumber = fromOffset == 0 ? 0 : -1;
    }

    /** The next line of a forward read starts at {@code at}. */
    void nextLine(long at) {
        lineNumber = lineNumber < 0 ? -1 : lineNumber + 1;
        lineStart = at;
    }

    /** The line about to be parsed starts at {@code at} (a backward read: its number is not known). */
    void lineAt(long at) {
        lineStart = at;
    }

    /** The read is over: positions no longer apply. */
    void readDone() {
        lineNumber = -1;
        lineStart = -1;
    }

    /** The event on the line, or null for a blank line or one that is not an event (then counted). */
    EventRecord parse(byte[] buf, int off, int len) {
        if (isBlank(buf, off, len)) {
            return null;
        }
        try {
            return EventJson.parse(buf, off, len);
        } catch (IllegalArgumentException e) {
            skippedLines++;
            if (lineNumber > 0 && firstSkippedLine < 0) {
                firstSkippedLine = lineNumber;
            } else if (lineNumber <= 0 && lineStart >= 0 && (firstSkippedByte < 0 || lineStart < firstSkippedByte)) {
                firstSkippedByte = lineStart;
            }
            return null;
        }
    }

    long skippedLines() {
        return skippedLines;
    }

    long firstSkippedLine() {
        return firstSkippedLine;
    }

    long firstSkippedByte() {
        return firstSkippedByte;
    }

    private static boolean isBlank(byte[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r') {
                return false;
            }
        }
        return true;
    }
}
