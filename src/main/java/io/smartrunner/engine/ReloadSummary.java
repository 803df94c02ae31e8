package io.smartrunner.engine;

import java.util.List;

/**
 * What a reload changed, by profile id.
 *
 * @param restartNeeded the runner, recovery, browser, http or alerts block changed: those take effect after a restart
 */
public record ReloadSummary(List<String> added, List<String> removed, List<String> changed, boolean restartNeeded) {
    public ReloadSummary {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
    }
}
