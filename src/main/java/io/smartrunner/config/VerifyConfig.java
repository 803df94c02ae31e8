package io.smartrunner.config;

import java.util.List;

/** The health check run after each recovery step. */
public sealed interface VerifyConfig {
    /** A step that completed without error counts as healthy. */
    record None() implements VerifyConfig {
    }

    /**
     * The profile's page answers over CDP with readyState "complete" and, when the profile has a
     * {@link ProfileConfig#verifyExpression()}, that expression evaluates truthy.
     */
    record Browser() implements VerifyConfig {
    }

    /** An argv template (session placeholders) that exits 0 when the profile is healthy. */
    record Command(List<String> argv) implements VerifyConfig {
        public Command {
            argv = List.copyOf(argv);
        }
    }
}
