package io.smartrunner.event;

import java.time.Instant;

/**
 * One line of the event log, typed by its kind (DESIGN §2): a sealed type with one record per
 * kind, so that rules, metrics, alerts and reports match on the record ({@code e instanceof
 * SessionFailed f}) instead of comparing strings. Only the codec ({@link EventKinds}, with
 * {@link EventParams} for the params keys) knows the wire's words. A line of a kind this version
 * does not know is an {@link UnknownEvent}, kept as read and written back unchanged.
 *
 * <p>Adding a kind: one record here and one row in {@link EventKinds}, plus its factory in
 * {@link Events}. Each record keeps its params as the ordered {@link Params} map of the line
 * (so that fields it does not model survive a round trip) and names the ones it knows.
 *
 * <p>The name stays {@code EventRecord} (it was the wire-shaped record, now {@link WireEvent}),
 * so that signatures across the engine did not change.
 * <p>Over 250 lines because it is the sealed type itself: one small record per kind (22, and one
 * for lines of unknown kinds), each with its typed accessors, kept together so the hierarchy reads
 * in one place.
 */
public sealed interface EventRecord {
    /** When and whose: the part every kind shares. */
    Header header();

    /** The params as on the wire, in order, including fields this version does not model. */
    Params params();

    /** The duration the line carries; null for kinds that have none. */
    default Long durMs() {
        return null;
    }

    default Instant ts() {
        return header().ts();
    }

    default String pod() {
        return header().pod();
    }

    default String profileId() {
        return header().profileId();
    }

    default String sessionId() {
        return header().sessionId();
    }

    /** The wire's {@code event} word, for display, filters given by a user and tests; code matches on the type. */
    default String event() {
        return EventKinds.encode(this).event();
    }

    /** The wire's {@code type} word (see {@link #event()}). */
    default String type() {
        return EventKinds.encode(this).type();
    }

    /** The wire's {@code outcome} word (see {@link #event()}). */
    default String outcome() {
        return EventKinds.encode(this).outcome();
    }

    /** A session's two endings. */
    sealed interface SessionEnded extends EventRecord {
    }

    /** Written before the child is spawned, so it has no pid yet. */
    record SessionStarted(Header header, Params params) implements EventRecord {
        public String command() {
            return params.value(EventParams.COMMAND);
        }
    }

    /** The child exited 0. */
    record SessionFinished(Header header, Params params, Long durMs) implements SessionEnded {
    }

    /** The session failed; its params are open-ended (reason, class, exitCode, signal, message, ...). */
    record SessionFailed(Header header, Params params, Long durMs) implements SessionEnded {
        /** A {@code FailureReason}'s wire name; null on a line that has none. */
        public String reason() {
            return params.value(EventParams.REASON);
        }

        public <T> T param(Param<T> key) {
            return params.value(key);
        }
    }

    /** One ladder step attempt. */
    record RecoveryAttempted(Header header, Params params, Long durMs) implements EventRecord {
        /** ok: healthy after this step; failed: the step itself failed; unhealthy: verification failed. */
        public enum Result { OK, FAILED, UNHEALTHY }

        public Result result() {
            return params.value(EventParams.ATTEMPT_OUTCOME);
        }

        public Integer step() {
            return params.value(EventParams.STEP);
        }

        /** The step's name. */
        public String action() {
            return params.value(EventParams.ACTION);
        }

        /** It failed because the browser provider could not be reached ({@code "class": "infrastructure"}). */
        public boolean infrastructure() {
            return "infrastructure".equals(params.value(EventParams.FAILURE_CLASS));
        }
    }

    /** An episode used every step without the profile verifying healthy. */
    record RecoveryExhausted(Header header, Params params, Long durMs) implements EventRecord {
        public Integer stepsUsed() {
            return params.value(EventParams.STEP);
        }

        public String message() {
            return params.value(EventParams.MESSAGE);
        }
    }

    /** Paused by the rules (streak over the maximum) or by hand. */
    record ProfilePaused(Header header, Params params) implements EventRecord {
        public Integer errorStreak() {
            return params.value(EventParams.ERROR_STREAK);
        }

        public Long durationMs() {
            return params.value(EventParams.DURATION_MS);
        }

        public Integer pauseCount() {
            return params.value(EventParams.PAUSE_COUNT);
        }

        public Instant pausedUntil() {
            return params.value(EventParams.PAUSED_UNTIL);
        }

        /** Whether the line has a pausedUntil that is not an ISO-8601 instant (a log edited by hand). */
        public boolean pausedUntilUnreadable() {
            return pausedUntil() == null && params.get(EventParams.PAUSED_UNTIL.wireName()) != null;
        }

        public String reason() {
            return params.value(EventParams.REASON);
        }

        public String by() {
            return params.value(EventParams.BY);
        }
    }

    /** A pause ended, when its time came or by hand. */
    record ProfileUnpaused(Header header, Params params) implements EventRecord {
        public String by() {
            return params.value(EventParams.BY);
        }
    }

    /** A streak set back to 0 by hand, or partly taken back by an opening breaker (errorStreak: what it left). */
    record StreakReset(Header header, Params params) implements EventRecord {
        public String by() {
            return params.value(EventParams.BY);
        }

        /** The streak after the reset; null on a reset by hand (0). */
        public Integer errorStreak() {
            return params.value(EventParams.ERROR_STREAK);
        }
    }

    /**
     * A profile's state copied into the fleet's store from a single machine's ({@code import-state}):
     * its streak and pause as they were there, from then on the fleet's.
     */
    record StateImported(Header header, Params params) implements EventRecord {
        public int errorStreak() {
            Integer streak = params.value(EventParams.ERROR_STREAK);
            return streak == null ? 0 : streak;
        }

        public boolean paused() {
            return Boolean.TRUE.equals(params.value(EventParams.PAUSED));
        }

        public Instant pausedUntil() {
            return params.value(EventParams.PAUSED_UNTIL);
        }

        public Integer pauseCount() {
            return params.value(EventParams.PAUSE_COUNT);
        }

        public String by() {
            return params.value(EventParams.BY);
        }
    }

    /**
     * Cluster mode: a profile no runner runs any more removed from the fleet's store by hand
     * ({@code forget}): its row is gone, its sessions and events stay.
     */
    record ProfileForgotten(Header header, Params params) implements EventRecord {
        public String by() {
            return params.value(EventParams.BY);
        }
    }

    /** A session asked for by hand; its own start follows when it starts. */
    record RunRequested(Header header, Params params) implements EventRecord {
        public String by() {
            return params.value(EventParams.BY);
        }
    }

    /** An unexpected exception the engine loop contained. */
    record InternalFault(Header header, Params params) implements EventRecord {
        /** What the loop was doing, one of {@link Events#LOOP_WORK}. */
        public String work() {
            return params.value(EventParams.WHILE);
        }
    }

    /** The runner's own events, about no pod or profile: admission control's, a reload's. */
    sealed interface RunnerWide extends EventRecord {
    }

    /**
     * The configuration file was read again and applied: counts of the profiles added, removed
     * and changed, the removed ones' ids, the limits applied at once, the settings that wait for a
     * restart (no pod or profile).
     */
    record ConfigReloaded(Header header, Params params) implements RunnerWide {
    }

    /**
     * Cluster mode: this runner took leases whose holder had stopped renewing them (killed, frozen,
     * cut off, or this runner's own earlier run): {@code from} names it, {@code profiles} counts them.
     */
    record LeasesTakenOver(Header header, Params params) implements RunnerWide {
        public String from() {
            return params.value(EventParams.FROM);
        }

        public Integer profiles() {
            return params.value(EventParams.PROFILES);
        }
    }

    /**
     * The runner began (before anything of its run is written): its name and pid, the profiles and
     * pods configured, and whether its data dir's previous run on record ended with a stop
     * ({@code previousStop}: clean, unclean, or none when there is no record).
     */
    record RunnerStarted(Header header, Params params) implements RunnerWide {
        public String previousStop() {
            return params.value(EventParams.PREVIOUS_STOP);
        }
    }

    /** The runner stopped, its sessions ended and its last decisions written ({@code durMs}: how long it ran). */
    record RunnerStopped(Header header, Params params, Long durMs) implements RunnerWide {
    }

    /** New sessions are held back: the host is short of memory or over its load limit (no pod or profile). */
    record PressureStarted(Header header, Params params) implements RunnerWide {
        /** "memory" or "load". */
        public String shortOf() {
            return params.value(EventParams.SHORT_OF);
        }
    }

    /** Held starts resume; durMs is how long they were held. */
    record PressureEnded(Header header, Params params, Long durMs) implements RunnerWide {
        public Integer sessionsDelayed() {
            return params.value(EventParams.SESSIONS_DELAYED);
        }
    }

    /** What happened to a profile's browser (type browser); params: reason first, then pid, ageMs, sessions where known. */
    sealed interface BrowserChange extends EventRecord {
        default String reason() {
            return params().value(EventParams.REASON);
        }
    }

    /** A browser launched (or adopted) where none was open; durMs: how long the start took. */
    record BrowserStarted(Header header, Params params, Long durMs) implements BrowserChange {
    }

    /** A browser closed on request (swept: its processes the runner had to kill). */
    record BrowserClosed(Header header, Params params) implements BrowserChange {
    }

    /** An open browser that exited or stopped answering, replaced by a new one. */
    record BrowserReplaced(Header header, Params params, Long durMs) implements BrowserChange {
    }

    /** browser.recycle: a working browser closed and started afresh between sessions. */
    record BrowserRecycled(Header header, Params params, Long durMs) implements BrowserChange {
    }

    /** A browser that exited without being asked to. */
    record BrowserCrashed(Header header, Params params) implements BrowserChange {
    }

    /** A pod-level change (type pod): no profile or session in the header. */
    sealed interface PodChange extends EventRecord {
    }

    /** A pod's fleet breaker opened: a shared outage is suspected; its failures blame nobody. */
    record BreakerOpened(Header header, Params params) implements PodChange {
        public Integer ended() {
            return params.value(EventParams.ENDED);
        }

        public Integer failed() {
            return params.value(EventParams.FAILED);
        }

        public Integer profiles() {
            return params.value(EventParams.PROFILES);
        }

        public Number ratio() {
            return params.value(EventParams.RATIO);
        }

        public Long windowMs() {
            return params.value(EventParams.WINDOW_MS);
        }

        /** The pod's failures in a row at the opening (absent before session 49). */
        public Integer inARow() {
            return params.value(EventParams.IN_A_ROW);
        }
    }

    /** A probe succeeded: the pod's breaker closed; durMs is how long it was open. */
    record BreakerClosed(Header header, Params params, Long durMs) implements PodChange {
    }

    /** A pod held: no new session starts in it (e.g. an exit code mapped to config). */
    record PodPaused(Header header, Params params) implements PodChange {
        public String reason() {
            return params.value(EventParams.REASON);
        }

        /** The profile whose session caused the hold. */
        public String causeProfileId() {
            return params.value(EventParams.PROFILE_ID);
        }
    }

    /** A held pod starts sessions again. */
    record PodUnpaused(Header header, Params params) implements PodChange {
        public String by() {
            return params.value(EventParams.BY);
        }
    }

    /** A line of a kind this version does not know (or in a shape it does not write): kept as read. */
    record UnknownEvent(Header header, String event, String type, Params params, String outcome, Long durMs)
            implements EventRecord {
    }
}
