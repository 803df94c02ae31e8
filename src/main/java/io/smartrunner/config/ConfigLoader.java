package io.smartrunner.config;

import java.nio.file.Path;
import java.util.Map;

/** Reads, validates and binds the JSON configuration file. */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /**
     * @param file the config file
     * @param env  the environment used for {@code ${env:NAME}}
     * @throws ConfigException with one line naming the file, the JSON path and what was expected
     */
    public static RunnerConfig load(Path file, Map<String, String> env) {
        throw new UnsupportedOperationException("TODO");
    }
}
