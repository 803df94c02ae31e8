package io.smartrunner.recovery;

/**
 * One profile's recovery episode as a value: where it is on the ladder and which instant the
 * ladder waits for. Immutable; {@link RecoveryLadder#decide} returns the next one.
 *
 * @param sessionId         the failed session that started the episode; recover events carry it
 * @param startedNanos      monotonic start of the episode (for the exhausted event's duration)
 * @param phase             what the episode is doing
 * @param step              0-based index of the current or next step
 * @param dueNanos          WAITING: when the step is due; STEP, VERIFY: when the run times out
 * @param attemptStartNanos monotonic start of the current attempt (step plus its check)
 * @param runNumber         bumped per step or check run, so the late result of an abandoned run
 *                          (timed out, cancelled) is recognised and dropped
 * @param stepDetail        the current attempt's step detail, once the step succeeded (the check's event carries it)
 * @param startStep         0-based step the episode started at (0 unless the adaptive strategy or a relapse chose another)
 * @param held              how many times in a row the current step could not be tried because its
 *                          provider could not be reached (the ladder holds at that step meanwhile)
 */
public record Episode(String sessionId, long startedNanos, Phase phase, int step, long dueNanos,
                      long attemptStartNanos, int runNumber, String stepDetail, int startStep, int held) {

    /** QUEUED until admitted; WAITING for a step's due time; running a STEP or its VERIFY check; OVER. */
    public enum Phase { QUEUED, WAITING, STEP, VERIFY, OVER }

    /** A new episode, queued for admission, that starts at step 1. */
    public static Episode queued(String sessionId, long startedNanos) {
        return queued(sessionId, startedNanos, 0);
    }

    /** A new episode, queued for admission, that starts at {@code startStep} (0-based). */
    public static Episode queued(String sessionId, long startedNanos, int startStep) {
        return new Episode(sessionId, startedNanos, Phase.QUEUED, startStep, startedNanos, startedNanos, 0, null,
                startStep, 0);
    }

    /** How many steps the episode has tried, the current one included. */
    public int stepsUsed() {
        return step - startStep + 1;
    }

    /** A step or its check is running: a result is awaited. */
    public boolean running() {
        return phase == Phase.STEP || phase == Phase.VERIFY;
    }

    Episode waiting(int nextStep, long due) {
        return new Episode(sessionId, startedNanos, Phase.WAITING, nextStep, due, attemptStartNanos, runNumber, null,
                startStep, nextStep == step ? held : 0);
    }

    /** The current step is due again at {@code due}: its provider could not be reached. */
    Episode holding(long due) {
        return new Episode(sessionId, startedNanos, Phase.WAITING, step, due, attemptStartNanos, runNumber, null,
                startStep, held + 1);
    }

    Episode stepping(long now, long deadline) {
        return new Episode(sessionId, startedNanos, Phase.STEP, step, deadline, now, runNumber + 1, null, startStep,
                held);
    }

    Episode verifying(String detail, long deadline) {
        return new Episode(sessionId, startedNanos, Phase.VERIFY, step, deadline, attemptStartNanos, runNumber + 1,
                detail, startStep, held);
    }

    /** The current run is abandoned: its result, if it still comes, is stale. */
    Episode abandoningRun() {
        return new Episode(sessionId, startedNanos, phase, step, dueNanos, attemptStartNanos, runNumber + 1,
                stepDetail, startStep, held);
    }

    Episode over() {
        return new Episode(sessionId, startedNanos, Phase.OVER, step, dueNanos, attemptStartNanos, runNumber,
                stepDetail, startStep, held);
    }
}
