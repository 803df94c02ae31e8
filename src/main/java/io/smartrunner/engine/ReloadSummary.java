package io.smartrunner.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * What a reload changed, by profile id.
 *
 * @param applied          the limits applied at once besides the profiles, as {@code pods[podA].concurrency
 *                         from 5 to 1} ({@link AppliedSettings}); empty when none
 * @param restartNeededFor the settings that differ from the ones the runner started with and take
 *                         effect only after a restart, as JSON paths ({@code runner.eventLogKeep},
 *                         {@code pods[podA].breaker}); empty when none
 * @param config           the file the runner read, absolute (null for a configuration built in code)
 */
public record ReloadSummary(List<String> added, List<String> removed, List<String> changed,
                            List<String> applied, List<String> restartNeededFor, Path config) {
    public ReloadSummary {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        applied = List.copyOf(applied);
        restartNeededFor = List.copyOf(restartNeededFor);
    }

    public boolean restartNeeded() {
        return !restartNeededFor.isEmpty();
    }
}
