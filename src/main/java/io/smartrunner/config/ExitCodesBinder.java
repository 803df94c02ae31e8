package io.smartrunner.config;

import java.util.LinkedHashMap;
import java.util.Map;

/** Binds {@code session.exitCodes}: {@code {"75": "retry-later", "78": "config"}}, merged over the parent's. */
final class ExitCodesBinder {
    static final int MAX_EXIT_CODE = 255;

    private ExitCodesBinder() {
    }

    static Map<Integer, ExitMeaning> bind(JsonCursor block, Map<Integer, ExitMeaning> parent) {
        Map<Integer, ExitMeaning> merged = new LinkedHashMap<>(parent);
        block.entries("an object mapping exit codes to meanings, e.g. {\"75\": \"retry-later\", \"78\": \"config\"}")
                .forEach((key, value) -> {
                    Integer code = code(key);
                    if (code == null) {
                        throw value.fail(JsonCursor.quote(key) + " is not an exit code",
                                "a key from \"0\" to \"" + MAX_EXIT_CODE + "\"");
                    }
                    String wire = value.requiredText(JsonCursor.oneOf(ExitMeaning.wireNames()));
                    ExitMeaning meaning = ExitMeaning.fromWire(wire);
                    if (meaning == null) {
                        throw value.fail(value.shown() + " is not a known meaning",
                                JsonCursor.oneOf(ExitMeaning.wireNames()));
                    }
                    merged.put(code, meaning);
                });
        return merged;
    }

    private static Integer code(String key) {
        if (!key.matches("0|[1-9][0-9]{0,2}")) {
            return null;
        }
        int code = Integer.parseInt(key);
        return code <= MAX_EXIT_CODE ? code : null;
    }
}
