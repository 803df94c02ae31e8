package io.smartrunner.engine;

import io.smartrunner.recovery.RunningStep;
import io.smartrunner.recovery.StepResult;
import java.time.Instant;

/** One profile's recovery episode in progress. Only touched by the supervisor's loop thread. */
final class EpisodeRun {
    enum Phase { QUEUED, WAITING, STEP, VERIFY }

    final ProfileSlot slot;
    /** The failed session that started the episode; recover events carry it. */
    final String sessionId;
    final Instant startedAt;
    final long startedNanos;
    Phase phase = Phase.QUEUED;
    /** 0-based index of the current or next step. */
    int step;
    long dueNanos;
    long deadlineNanos;
    long attemptStartNanos;
    RunningStep running;
    /** Bumped per step/check run, so a late result of a cancelled run is recognised and dropped. */
    int runNumber;
    StepResult stepResult;
    boolean cancelled;

    EpisodeRun(ProfileSlot slot, String sessionId, Instant startedAt, long startedNanos) {
        this.slot = slot;
        this.sessionId = sessionId;
        this.startedAt = startedAt;
        this.startedNanos = startedNanos;
    }
}
