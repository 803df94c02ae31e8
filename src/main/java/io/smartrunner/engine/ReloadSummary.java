package io.smartrunner.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * What a reload changed, by profile id.
 *
 * @param restartNeeded the runner, recovery, browser, http or alerts block changed: those take effect after a restart
 * @param config        the file the runner read, absolute (null for a configuration built in code)
 */
public record ReloadSummary(List<String> added, List<String> removed, List<String> changed, boolean restartNeeded,
                            Path config) {
    public ReloadSummary {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
    }
}
