package io.smartrunner.profile;

import java.util.Locale;

/**
 * Whom a failed session is blamed on (DESIGN §2b), {@code params.class} of its {@code error} event.
 * Only {@link #PROFILE} failures count towards the error streak, the automatic pause and start a
 * recovery episode; the others are logged, shown and alerted on.
 */
public enum FailureClass {
    /** The session's own failure while nothing shared is known to be broken. */
    PROFILE,
    /** The runner's side: spawn, lost, shutdown, a browser that cannot start, a mapped exit code. */
    INFRASTRUCTURE,
    /** The pod's breaker is open: a large share of its profiles failing at once is a shared outage. */
    SHARED;

    /** Made once: every failed session's event and metrics ask for it. */
    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wire;
    }

    /** Whether a failure of this class counts towards the profile's error streak. */
    public boolean countsTowardsStreak() {
        return this == PROFILE;
    }

    /** The class a failure has by its reason alone, before exit-code meanings and the breaker. */
    public static FailureClass of(FailureReason reason) {
        return switch (reason) {
            case SPAWN, LOST, SHUTDOWN -> INFRASTRUCTURE;
            case EXIT, SIGNAL, TIMEOUT, HANG -> PROFILE;
        };
    }

    /**
     * The class an {@code error} event recorded, or the one its reason implies when it has none
     * (lines written before classes existed) or an unknown one.
     */
    public static FailureClass fromWire(Object wire, FailureReason reason) {
        if (wire instanceof String s) {
            for (FailureClass c : values()) {
                if (c.wireName().equals(s)) {
                    return c;
                }
            }
        }
        return of(reason);
    }
}
