package io.smartrunner.process;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which of the runner's own environment variables a child inherits (the variables of its
 * {@link LaunchSpec#env()} come on top). The base is a short list of harmless names that programs
 * expect; everything else (tokens, API keys, webhook URLs) stays with the runner unless named.
 *
 * @param all      inherit every variable of the runner, except values the config uses as secrets
 * @param explicit names inherited even when their value is such a secret: the user asked for them
 * @param base     inherited when set, unless the value is a secret; "NAME" or "PREFIX*"
 */
public record EnvInheritance(boolean all, Set<String> explicit, List<String> base) {
    /** What every child gets: PATH HOME LANG LC_* TZ TERM USER LOGNAME TMPDIR. */
    public static final List<String> SAFE_BASE = List.of("PATH", "HOME", "LANG", "LC_*", "TZ", "TERM", "USER",
            "LOGNAME", "TMPDIR");
    /** What a browser needs besides: a display, its X authority, the desktop's directories and bus. */
    public static final List<String> BROWSER_BASE = List.of("DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_*",
            "DBUS_SESSION_BUS_ADDRESS");

    public EnvInheritance {
        explicit = Set.copyOf(explicit);
        base = List.copyOf(base);
    }

    /** The safe base only: the default. */
    public static EnvInheritance safeBase() {
        return new EnvInheritance(false, Set.of(), SAFE_BASE);
    }

    /** The safe base plus what a browser needs. */
    public static EnvInheritance browser() {
        List<String> base = new ArrayList<>(SAFE_BASE);
        base.addAll(BROWSER_BASE);
        return new EnvInheritance(false, Set.of(), base);
    }

    /** This plus the user's {@code inheritEnv}: everything ({@code all}) or the names listed. */
    public EnvInheritance with(boolean everything, Collection<String> names) {
        Set<String> more = new HashSet<>(explicit);
        more.addAll(names);
        return new EnvInheritance(all || everything, more, base);
    }

    /** Whether {@code name} is in the base (before secrets are withheld). */
    boolean inBase(String name) {
        for (String pattern : base) {
            boolean match = pattern.endsWith("*") ? name.startsWith(pattern.substring(0, pattern.length() - 1))
                    : name.equals(pattern);
            if (match) {
                return true;
            }
        }
        return false;
    }

    /** Written out, like its hashCode, for the reason {@link io.smartrunner.config.InheritEnv#equals} is. */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof EnvInheritance e && all == e.all && explicit.equals(e.explicit)
                && base.equals(e.base);
    }

    @Override
    public int hashCode() {
        return (31 * Boolean.hashCode(all) + explicit.hashCode()) * 31 + base.hashCode();
    }
}
