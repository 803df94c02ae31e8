package io.smartrunner.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every {@link JsonCursor} of one load shares.
 *
 * @param label         how the file is named in messages
 * @param env           the environment for {@code ${env:NAME}}
 * @param secrets       collects every substituted value (mutable, one load only)
 * @param unsetEnvKept  a {@code ${env:NAME}} whose variable is not set is kept as it is written
 *                      instead of refused: for commands that only look or write the store (status,
 *                      events, report, the offline controls) from a shell without the runner's secrets
 * @param envNeededFor  why the values read through this context are needed even by such a command
 *                      (said when their variable is not set); null for a load that needs them all
 * @param argvAsWritten collects each argv that had a {@code ${env:NAME}} in it, as written, by the
 *                      argv it became (mutable, one load only)
 */
record BindContext(String label, Map<String, String> env, Set<String> secrets, boolean unsetEnvKept,
                   String envNeededFor, Map<List<String>, List<String>> argvAsWritten) {
    BindContext(String label, Map<String, String> env, Set<String> secrets, boolean unsetEnvKept) {
        this(label, env, secrets, unsetEnvKept, null, new HashMap<>());
    }

    /**
     * This context for values the command uses itself (where the state is, how to reach it): a
     * variable they name must be set, and saying so tells why ({@code neededFor}). Unchanged for a
     * load that needs every variable anyway.
     */
    BindContext requiringEnv(String neededFor) {
        return unsetEnvKept ? new BindContext(label, env, secrets, false, neededFor, argvAsWritten) : this;
    }
}
