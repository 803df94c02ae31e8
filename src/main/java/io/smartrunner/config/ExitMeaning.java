package io.smartrunner.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a session's exit code means ({@code session.exitCodes}, DESIGN §2b), e.g. sysexits 75
 * {@code retry-later} and 78 {@code config}.
 */
public enum ExitMeaning {
    /** The profile's own failure: counts towards its streak (what every unmapped code means). */
    PROFILE,
    /** Something the profile needs is not available now: class infrastructure, the profile backs off. */
    RETRY_LATER,
    /** The configuration is wrong: class infrastructure, the whole pod is held until a reload. */
    CONFIG;

    /** Made once: every failed session asks for it. */
    private final String wire = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** {@code profile}, {@code retry-later}, {@code config}. */
    public String wireName() {
        return wire;
    }

    static List<String> wireNames() {
        return Arrays.stream(values()).map(ExitMeaning::wireName).toList();
    }

    static ExitMeaning fromWire(String wire) {
        return Arrays.stream(values()).filter(m -> m.wireName().equals(wire)).findFirst().orElse(null);
    }
}
