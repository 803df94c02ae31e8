package io.smartrunner.engine;

import io.smartrunner.SmartRunnerException;

/**
 * A change an operator asked for (a reload) that was not made because its event could not be
 * written: nothing of it took effect (durability.md). The API answers it 503, as a refused pause.
 */
public final class ChangeNotRecorded extends SmartRunnerException {
    ChangeNotRecorded(String why) {
        super("not done, the change cannot be recorded: " + why, null, 1);
    }
}
