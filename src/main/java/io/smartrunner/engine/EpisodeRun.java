package io.smartrunner.engine;

import io.smartrunner.recovery.Episode;
import io.smartrunner.recovery.RunningStep;

/**
 * One profile's recovery episode in progress: the ladder's state of it plus the effects in
 * flight. Only touched by the supervisor's loop thread.
 */
final class EpisodeRun {
    final ProfileSlot slot;
    Episode episode;
    /** The step or check started last, until its result is taken (or it is abandoned). */
    RunningStep running;

    EpisodeRun(ProfileSlot slot, Episode episode) {
        this.slot = slot;
        this.episode = episode;
    }
}
