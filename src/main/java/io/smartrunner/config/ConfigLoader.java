package io.smartrunner.config;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * Reads, validates and binds the JSON configuration file (DESIGN.md §2a). Every key is optional
 * and defaults to the records' {@code DEFAULT_*} values; unknown keys, wrong types, out-of-range
 * numbers and unknown step names are rejected. Stateless and thread-safe.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /**
     * Loads {@code file}. String values may contain {@code ${env:NAME}}, resolved from {@code env};
     * each substituted value is collected in {@link RunnerConfig#secretValues()}. Per-session
     * placeholders such as {@code {profileId}} are kept for the session to substitute.
     *
     * @param file the config file
     * @param env  the environment used for {@code ${env:NAME}}, usually {@code System.getenv()}
     * @return the validated configuration
     * @throws ConfigException with one line naming the file, the JSON path and what was expected
     */
    public static RunnerConfig load(Path file, Map<String, String> env) {
        return load(file, env, true);
    }

    /**
     * As {@link #load}, but without checking that the configured programs exist and are
     * executable: for commands that only read or write the state and the event log (status,
     * events, report, runners, the manual controls, forget, import-state, rebuild-state), so a
     * program that went missing does not also take away the tools to look at what happened. A
     * {@code ${env:NAME}} whose variable this shell does not have is kept as written (status used
     * to refuse to run from a shell without the runner's secrets); a control that would send such a
     * token says so. Not in the {@code runner} and {@code store} blocks: these commands find the
     * state and read the store with them.
     */
    public static RunnerConfig loadToInspect(Path file, Map<String, String> env) {
        return load(file, env, false, true);
    }

    /**
     * As {@link #load}, without checking the configured programs (a trial runs a command of its
     * own), but with every {@code ${env:NAME}} resolved: a trial runs sessions and recovery steps.
     */
    public static RunnerConfig loadForTrial(Path file, Map<String, String> env) {
        return load(file, env, false, false);
    }

    private static RunnerConfig load(Path file, Map<String, String> env, boolean checkPrograms) {
        return load(file, env, checkPrograms, false);
    }

    private static RunnerConfig load(Path file, Map<String, String> env, boolean checkPrograms, boolean unsetEnvKept) {
        String label = file.toString();
        // a command that only looks needs none of the runner's secrets: an unset ${env:NAME} stays as written
        BindContext context = new BindContext(label, Map.copyOf(env), new LinkedHashSet<>(), unsetEnvKept);
        JsonCursor root = JsonCursor.root(context, ConfigFileReader.read(file, label));
        return ConfigBinder.bind(root, context, file, checkPrograms);
    }
}
