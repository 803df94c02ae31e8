package io.smartrunner.config;

import java.util.ArrayList;
import java.util.List;

/** Reads an argv template ({@code session.command}, command steps, command verification). */
final class Argv {
    private Argv() {
    }

    /**
     * A non-empty array of strings whose first element names a program.
     *
     * @param fallback returned when {@code value} is absent
     */
    static List<String> read(JsonCursor value, List<String> fallback) {
        if (!value.isPresent()) {
            return fallback;
        }
        List<JsonCursor> elements = value.elements("an array of strings: the program and its arguments");
        if (elements.isEmpty()) {
            throw value.fail("[] is empty", "at least the program, e.g. [\"./session.sh\", \"{profileId}\"]");
        }
        if (elements.size() > SpawnSizes.MAX_ARGS) {
            throw value.fail(elements.size() + " arguments", "at most " + SpawnSizes.MAX_ARGS);
        }
        List<String> argv = new ArrayList<>();
        List<String> written = new ArrayList<>();
        for (JsonCursor element : elements) {
            String arg = element.requiredText("a string");
            SpawnSizes.requireString(element, "an argument", arg);
            argv.add(arg);
            written.add(element.written());
        }
        if (!written.equals(argv)) {
            value.argvWritten(argv, written);
        }
        if (argv.get(0).isBlank()) {
            throw elements.get(0).fail(elements.get(0).shown() + " is an empty program name",
                    "a program path or name");
        }
        return argv;
    }
}
