package io.smartrunner.profile;

import io.smartrunner.event.EventRecord;
import java.util.List;

/**
 * The result of applying a rule: the profile's new state, the events that record it, and the
 * effects that must follow once it is decided (see {@link Effects}). The engine applies it in one
 * place, which is the only code that stores a profile's state.
 */
public record Transition(ProfileState state, List<EventRecord> events, Effects effects) {
    public Transition {
        events = List.copyOf(events);
        effects = effects == null ? Effects.NONE : effects;
    }

    /** A transition with no effect beyond storing its state and writing its events. */
    public Transition(ProfileState state, List<EventRecord> events) {
        this(state, events, Effects.NONE);
    }

    public static Transition unchanged(ProfileState state) {
        return new Transition(state, List.of());
    }

    public boolean changed(ProfileState before) {
        return !state.equals(before) || !events.isEmpty();
    }

    /**
     * What must happen because of a transition, besides writing it: a recovery episode begun for
     * a failed session or cancelled by a pause, the profile's running session stopped (not counted
     * against it), its browser closed (when browser.closeOnPause allows).
     *
     * @param episode           what happens to the profile's recovery episode
     * @param episodeSessionId  the failed session an episode begins for (with {@link Episode#BEGIN})
     * @param stopReason        why the running session is stopped, or null to leave it running
     * @param stopDetail        the message recorded with that stop
     * @param closeBrowser      the profile is paused: its browser closes (browser.closeOnPause)
     */
    public record Effects(Episode episode, String episodeSessionId, FailureReason stopReason, String stopDetail,
                          boolean closeBrowser) {
        public static final Effects NONE = new Effects(Episode.NONE, null, null, null, false);

        public Effects {
            episode = episode == null ? Episode.NONE : episode;
        }

        /** A failed session that counts and did not pause the profile: recovery begins. */
        public static Effects beginEpisode(String sessionId) {
            return new Effects(Episode.BEGIN, sessionId, null, null, false);
        }

        /** The profile stays paused: its browser is closed (again). */
        public static Effects browserClosed() {
            return new Effects(Episode.NONE, null, null, null, true);
        }

        /** A pause: the episode is cancelled and the browser closed; a running session is stopped if {@code stopDetail} is set. */
        public static Effects paused(String stopDetail) {
            return new Effects(Episode.CANCEL, null, stopDetail == null ? null : FailureReason.SHUTDOWN, stopDetail,
                    true);
        }
    }

    /** What a transition does to the profile's recovery episode. */
    public enum Episode {
        NONE,
        /** A failed session starts one (unless the runner is stopping). */
        BEGIN,
        /** A pause supersedes recovery: the episode ends. */
        CANCEL
    }
}
