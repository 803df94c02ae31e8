package io.smartrunner.config;

import java.util.List;

/** One rung of the recovery ladder. */
public sealed interface StepConfig {
    /** The name shown in {@code recover} events ({@code params.action}). */
    String name();

    /** One of the spec's browser steps, e.g. {@code goToHomepage}. */
    record Builtin(String name) implements StepConfig {
    }

    /** Runs an argv template (session placeholders); exit 0 = the step succeeded. */
    record Command(String name, List<String> argv) implements StepConfig {
        public Command {
            argv = List.copyOf(argv);
        }
    }

    /**
     * Sends one HTTP request; the step succeeds when the status equals {@code expect}.
     *
     * @param url       http(s) URL template (session placeholders)
     * @param timeoutMs request timeout; 0 = the step timeout
     */
    record Http(String name, String method, String url, int expect, long timeoutMs) implements StepConfig {
    }
}
