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

    /**
     * Written out, like its hashCode: the generated ones are built from method handles at their first
     * call, which was the first session's launch (15 classes spun there, ~5 ms before the first child).
     */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof InheritEnv e && all == e.all && names.equals(e.names);
    }

    @Override
    public int hashCode() {
        return 31 * Boolean.hashCode(all) + names.hashCode();
    }
}
