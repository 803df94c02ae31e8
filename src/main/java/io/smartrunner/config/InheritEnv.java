package io.smartrunner.config;

import java.util.List;

/**
 * {@code session.inheritEnv}: which of the runner's environment variables a session, its command
 * steps and its browser inherit beyond the safe base (PATH HOME LANG LC_* TZ TERM USER LOGNAME
 * TMPDIR). Values the config uses for {@code ${env:NAME}} are withheld unless named here.
 *
 * @param all   {@code true}: every variable (except those secrets)
 * @param names the variables listed, in file order
 */
public record InheritEnv(boolean all, List<String> names) {
    /** The default: the safe base only. */
    public static final InheritEnv NONE = new InheritEnv(false, List.of());

    public InheritEnv {
        names = List.copyOf(names);
    }
}
