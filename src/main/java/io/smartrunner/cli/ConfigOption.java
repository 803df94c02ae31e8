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

    /**
     * For running it: every configured program must exist and be executable. Both loads make
     * runner.fileMode the mode of every file this command creates from now on.
     */
    RunnerConfig load() {
        RunnerConfig config = ConfigLoader.load(file, System.getenv());
        FileModes.apply(config.runner().fileMode());
        return config;
    }

    /** For a trial, which runs its own command: programs are not checked, secrets must be set (it runs sessions). */
    RunnerConfig loadForTrial() {
        RunnerConfig config = ConfigLoader.loadForTrial(file, System.getenv());
        FileModes.apply(config.runner().fileMode());
        return config;
    }

    /**
     * For the commands that only read or write the state and the events (not run, trial, reload):
     * programs are not checked, and an unset ${env:NAME} is kept as written, except where the state
     * is and the store's (ConfigLoader#loadToInspect).
     */
    RunnerConfig loadToInspect() {
        RunnerConfig config = ConfigLoader.loadToInspect(file, System.getenv());
        FileModes.apply(config.runner().fileMode());
        return config;
    }
}
