package io.smartrunner.engine;

import java.util.function.Consumer;

/**
 * Tracks whether the runner can make its decisions durable, and tells the operator once when
 * that changes, not on every retry.
 */
final class HealthReporter {
    private final Consumer<String> diagnostics;
    private volatile String problem;

    HealthReporter(Consumer<String> diagnostics) {
        this.diagnostics = diagnostics;
    }

    void failing(String message) {
        if (problem == null) {
            diagnostics.accept("not starting sessions: " + message + " (retrying with a growing pause, up to every 5 s)");
        }
        problem = message;
    }

    void recovered() {
        if (problem != null) {
            diagnostics.accept("writing again after: " + problem + "; sessions resume");
            problem = null;
        }
    }

    String problem() {
        return problem;
    }
}
