package io.smartrunner.config;

import java.util.Map;
import java.util.Set;

/**
 * What every {@link JsonCursor} of one load shares.
 *
 * @param label   how the file is named in messages
 * @param env     the environment for {@code ${env:NAME}}
 * @param secrets collects every substituted value (mutable, one load only)
 * @param argvAsWritten collects each argv that had a {@code ${env:NAME}} in it, as written, by the
 *                      argv it became (mutable, one load only)
 */
/**
 * @param unsetEnvKept a {@code ${env:NAME}} whose variable is not set is kept as it is written
 *                     instead of refused: for commands that only look (status, events, report)
 *                     from a shell without the runner's secrets
 */
record BindContext(String label, Map<String, String> env, Set<String> secrets, boolean unsetEnvKept,
                   Map<java.util.List<String>, java.util.List<String>> argvAsWritten) {
    BindContext(String label, Map<String, String> env, Set<String> secrets, boolean unsetEnvKept) {
        this(label, env, secrets, unsetEnvKept, new java.util.HashMap<>());
    }
}
