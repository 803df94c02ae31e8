package io.smartrunner.cli;

import io.smartrunner.config.ConfigLoader;
import io.smartrunner.config.RunnerConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -c/--config FILE} option every command shares. */
final class ConfigOption {
    static final String DEFAULT = "config/smart-runner.json";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = DEFAULT,
            description = "configuration file (default: ${DEFAULT-VALUE})")
    Path file;

    RunnerConfig load() {
        return ConfigLoader.load(file, System.getenv());
    }
}
