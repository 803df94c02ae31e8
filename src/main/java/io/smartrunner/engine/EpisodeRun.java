package io.smartrunner.engine;

import io.smartrunner.recovery.Episode;
import io.smartrunner.recovery.FailureSignature;
import io.smartrunner.recovery.LadderMemory;
import io.smartrunner.recovery.RunningStep;

/**
 * One profile's recovery episode in progress: the ladder's state of it plus the effects in
 * flight. Only touched by the supervisor's loop thread.
 */
final class EpisodeRun {
    final ProfileSlot slot;
    /** The failure the episode is for, null when unknown (resumed after a restart). */
    final FailureSignature signature;
    /** Where it started and why (the strategy), for its events. */
    final LadderMemory.Start start;
    Episode episode;
    /** The step or check started last, until its result is taken (or it is abandoned). */
    RunningStep running;

    EpisodeRun(ProfileSlot slot, FailureSignature signature, LadderMemory.Start start, Episode episode) {
        this.slot = slot;
        this.signature = signature;
        this.start = start;
        this.episode = episode;
    }
}
