package io.smartrunner.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Binds a {@code session} block as an override of its parent's settings, field by field. */
final class SessionBinder {
    static final List<String> KEYS = List.of("command", "env", "workingDir", "timeoutMs", "idleTimeoutMs",
            "cooldownMs", "stopGraceMs", "logMaxBytes", "logKeepFiles", "stderrTailBytes", "inheritEnv", "exitCodes");
    static final String ENV_NAME_PATTERN = "[A-Za-z_][A-Za-z0-9_]*";
    static final long MAX_TIMEOUT_MS = 30 * 86_400_000L;
    static final long MAX_COOLDOWN_MS = 7 * 86_400_000L;
    static final long MAX_STOP_GRACE_MS = 600_000;
    static final long MIN_LOG_MAX_BYTES = 1024;
    static final long MAX_LOG_MAX_BYTES = 1L << 40;
    static final int MAX_LOG_KEEP_FILES = 100;
    static final int MAX_STDERR_TAIL_BYTES = 1 << 20;

    private SessionBinder() {
    }

    /**
     * @param block  a {@code session} object, possibly absent
     * @param parent the settings it overrides; its {@code env} is merged key by key, its
     *               {@code command} replaced
     */
    static SessionSettings bind(JsonCursor block, SessionSettings parent) {
        block.object(KEYS);
        SessionSettings bound = new SessionSettings(
                Argv.read(block.get("command"), parent.command()),
                env(block.get("env"), parent.env()),
                block.get("workingDir").filePath(parent.workingDir()),
                block.get("timeoutMs").integer(parent.timeoutMs(), 1, MAX_TIMEOUT_MS, Quantity.MILLIS),
                block.get("idleTimeoutMs").integer(parent.idleTimeoutMs(), 0, MAX_TIMEOUT_MS, Quantity.MILLIS),
                block.get("cooldownMs").integer(parent.cooldownMs(), 0, MAX_COOLDOWN_MS, Quantity.MILLIS),
                block.get("stopGraceMs").integer(parent.stopGraceMs(), 0, MAX_STOP_GRACE_MS, Quantity.MILLIS),
                block.get("logMaxBytes").integer(parent.logMaxBytes(), MIN_LOG_MAX_BYTES, MAX_LOG_MAX_BYTES,
                        Quantity.BYTES),
                block.get("logKeepFiles").integer(parent.logKeepFiles(), 0, MAX_LOG_KEEP_FILES, Quantity.COUNT),
                block.get("stderrTailBytes").integer(parent.stderrTailBytes(), 0, MAX_STDERR_TAIL_BYTES,
                        Quantity.BYTES),
                inheritEnv(block.get("inheritEnv"), parent.inheritEnv()),
                ExitCodesBinder.bind(block.get("exitCodes"), parent.exitCodes()));
        if (block.isPresent()) {
            SpawnSizes.requireTotal(block, bound.command(), bound.env());
        }
        return bound;
    }

    /** {@code true}, {@code false} or a list of variable names; replaces the parent's, like command. */
    private static InheritEnv inheritEnv(JsonCursor value, InheritEnv parent) {
        String expected = "true (every variable), false, or an array of variable names, e.g. [\"HTTP_PROXY\"]";
        if (!value.isPresent()) {
            return parent;
        }
        if (value.isBoolean()) {
            return value.flag(false) ? new InheritEnv(true, List.of()) : InheritEnv.NONE;
        }
        List<String> names = new ArrayList<>();
        for (JsonCursor element : value.elements(expected)) {
            String name = element.requiredText("a variable name matching " + ENV_NAME_PATTERN);
            if (!name.matches(ENV_NAME_PATTERN)) {
                throw element.fail(element.shown() + " is not a valid environment variable name",
                        "a name matching " + ENV_NAME_PATTERN);
            }
            names.add(name);
        }
        return new InheritEnv(false, names);
    }

    private static Map<String, String> env(JsonCursor block, Map<String, String> parent) {
        Map<String, String> merged = new LinkedHashMap<>(parent);
        block.entries("an object of environment variables, e.g. {\"LANG\": \"C.UTF-8\"}").forEach((name, value) -> {
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw value.fail("invalid environment variable name " + JsonCursor.quote(name),
                        "a non-empty name without '=' or NUL");
            }
            String text = value.requiredText("a string value");
            SpawnSizes.requireString(value, "the variable", name + "=" + text);
            merged.put(name, text);
            if (merged.size() > SpawnSizes.MAX_ENV_VARS) {
                throw value.fail("more than " + SpawnSizes.MAX_ENV_VARS + " variables", "fewer");
            }
        });
        return merged;
    }
}
