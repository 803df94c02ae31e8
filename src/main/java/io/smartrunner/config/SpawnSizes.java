package io.smartrunner.config;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Bounds on what a child is started with, checked at load: beyond them {@code execve} fails
 * with E2BIG for every session (Linux refuses any one argument or {@code NAME=value} string over
 * 128 KiB, and the whole argv + environment over ARG_MAX, usually 2 MiB, which the runner's own
 * inherited environment shares).
 */
final class SpawnSizes {
    /** One argument or one {@code NAME=value}, in UTF-8 bytes with its NUL (Linux MAX_ARG_STRLEN). */
    static final int MAX_STRING_BYTES = 128 * 1024;
    /** argv + session.env together, in UTF-8 bytes with NULs: half of a usual ARG_MAX. */
    static final int MAX_TOTAL_BYTES = 1024 * 1024;
    /** Arguments of one command, the program included. */
    static final int MAX_ARGS = 4096;
    /** Variables in one session's env. */
    static final int MAX_ENV_VARS = 4096;

    private SpawnSizes() {
    }

    /** The bytes {@code text} takes in an argv or envp array. */
    static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length + 1;
    }

    static void requireString(JsonCursor at, String what, String text) {
        if (text.indexOf('\0') >= 0) { // the kernel takes C strings: the rest would be cut off, unsaid (reviewer R9)
            throw at.fail(what + " " + JsonCursor.quote(text) + " contains a NUL character (\\u0000)",
                    "text without NUL: a process gets each argument and variable cut at the first one");
        }
        int bytes = bytes(text);
        if (bytes > MAX_STRING_BYTES) {
            throw at.fail(what + " of " + human(bytes) + " is too long for a process to be started with",
                    "at most " + human(MAX_STRING_BYTES));
        }
    }

    /** Fails at {@code block} when the command and environment together exceed {@link #MAX_TOTAL_BYTES}. */
    static void requireTotal(JsonCursor block, List<String> argv, Map<String, String> env) {
        long total = 0;
        for (String arg : argv) {
            total += bytes(arg);
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            total += bytes(e.getKey() + "=" + e.getValue());
        }
        if (total > MAX_TOTAL_BYTES) {
            throw block.fail("command and env together take " + human(total),
                    "at most " + human(MAX_TOTAL_BYTES) + " (the system's limit is shared with the runner's environment)");
        }
    }

    static String human(long bytes) {
        return bytes >= 1024 * 1024 ? String.format("%.1f MiB", bytes / 1048576.0)
                : bytes >= 1024 ? String.format("%.1f KiB", bytes / 1024.0) : bytes + " bytes";
    }
}
