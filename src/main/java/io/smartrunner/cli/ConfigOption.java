package io.smartrunner.cli;

import io.smartrunner.config.ConfigLoader;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.process.FileModes;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -c/--config FILE} option every command shares. */
final class ConfigOption {
    static final String DEFAULT = "config/smart-runner.json";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = DEFAULT,
            description = "configuration file (default: ${DEFAULT-VALUE})")
    Path file;

    /** Loads the file; also makes runner.fileMode the mode of every file this command creates from now on. */
    RunnerConfig load() {
        RunnerConfig config = ConfigLoader.load(file, System.getenv());
        FileModes.apply(config.runner().fileMode());
        return config;
    }
}
