package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;

/** Bad command-line values: one line naming the option, exit 2 (DESIGN §2: 2 = bad usage). */
final class UsageError {
    static final int EXIT = 2;

    private UsageError() {
    }

    /** Fails unless {@code min <= value <= max}. */
    static void requireIn(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new SmartRunnerException(option + ": " + value + " is out of range, expected "
                    + (max == Long.MAX_VALUE ? min + " or more" : "from " + min + " to " + max), null, EXIT);
        }
    }

    /** As {@link #requireIn} for an option that may be left out (null). */
    static void requireIn(String option, Long value, long min, long max) {
        if (value != null) {
            requireIn(option, value.longValue(), min, max);
        }
    }
}
