package io.smartrunner.config;

import io.smartrunner.SmartRunnerException;

/** A configuration file or value that cannot be used; always exit code 2. */
public final class ConfigException extends SmartRunnerException {
    public ConfigException(String message) {
        super(message, null, 2);
    }
}
