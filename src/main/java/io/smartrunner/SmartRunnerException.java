package io.smartrunner;

/**
 * Root of every exception Smart Runner throws on purpose. Its message is one line meant for a
 * person: it names the file, field or value at fault and what was expected. The CLI prints the
 * message alone (no stack trace) and exits with {@link #exitCode()}.
 */
public class SmartRunnerException extends RuntimeException {
    private final int exitCode;

    public SmartRunnerException(String message) {
        this(message, null, 1);
    }

    public SmartRunnerException(String message, Throwable cause) {
        this(message, cause, 1);
    }

    public SmartRunnerException(String message, Throwable cause, int exitCode) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** 1 for a runtime failure, 2 for bad usage or bad configuration. */
    public int exitCode() {
        return exitCode;
    }
}
