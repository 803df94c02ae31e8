package io.smartrunner.engine;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.process.ExitStatus;
import io.smartrunner.process.RunningProcess;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.recovery.StepResult;
import io.smartrunner.store.SessionRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What arrives in the loop's inbox from other threads. */
sealed interface Message {
    record Exited(String profileId, String sessionId, ExitStatus status) implements Message {
    }

    record Stopped(String profileId, String sessionId, String error) implements Message {
    }

    record Wake() implements Message {
    }

    /** A session's output file, found quiet and no longer looked at, was written again ({@link SessionTimers#written}). */
    record OutputWritten(String profileId, String sessionId) implements Message {
    }

    /** A recovery step or check of a profile finished. */
    record StepDone(String profileId, int runNumber, StepResult result) implements Message {
    }

    /** An operator's request for one profile, answered on {@code reply} by the loop. */
    record Manual(ManualRequest request, CompletableFuture<ManualReply> reply) implements Message {
    }

    /**
     * Several messages handed over as one: the loop takes them all in the same turn, in order,
     * each on its own ({@link LoopInbox#drain} unpacks them). A pod's pauses added one by one let
     * the loop turn between two of them and start sessions of the pod in the slots the first ones
     * freed.
     */
    record Batch(List<Message> messages) implements Message {
    }

    /** Asks the loop for a snapshot of every configured profile's state (the API's reads). */
    record Snapshot(CompletableFuture<List<ProfileState>> reply)
            implements Message {
    }

    /** Asks the loop for every pod's breaker and pauses (GET /api/pods). */
    record PodSnapshot(CompletableFuture<List<io.smartrunner.breaker.PodStatus>> reply) implements Message {
    }

    /** An operator lets a held pod start sessions again. */
    record PodUnpause(String pod, String by, CompletableFuture<Boolean> reply) implements Message {
    }

    /** A new, already validated configuration to apply (SIGHUP, later the API). */
    record Reload(RunnerConfig config,
                  CompletableFuture<ReloadSummary> reply) implements Message {
    }

    /** Something happened to a profile's browser (a provider's thread noticed it): the loop logs it. */
    record Browser(io.smartrunner.browser.BrowserEvent event) implements Message {
    }

    /** The lease keeper acquired these leases (cluster mode): the loop takes each profile on ({@link LeaseDuty}). */
    record LeasesAcquired(List<io.smartrunner.store.PostgresLeases.Acquired> leases) implements Message {
    }

    /** The lease keeper asks for up to {@code count} idle profiles back; answered with the ones given. */
    record GiveBack(List<String> profileIds, int count, CompletableFuture<List<String>> reply) implements Message {
    }

    /** The lease keeper asks for up to that many slots of each pod back; answered with the slots given per pod. */
    record GiveBackSlots(java.util.Map<String, Integer> counts,
                         CompletableFuture<java.util.Map<String, List<Integer>>> reply) implements Message {
    }

    /**
     * A launch finished: {@code process} is null when it failed with {@code error}.
     *
     * @param hostShort     the launch failed because the host refused a process or descriptor
     * @param launchedNanos when the launch began, just before the spawn ({@code TimeSource.nanoTime()}), the start of
     *                      its timers: the loop may hear of it up to {@link LoopInbox#QUIET_WITHIN_NANOS} later
     */
    record Launched(String profileId, SessionRecord record, RunningProcess process, String error, long launchedNanos,
                    boolean hostShort) implements Message {
        Launched(String profileId, SessionRecord record, RunningProcess process, String error, long launchedNanos) {
            this(profileId, record, process, error, launchedNanos, false);
        }

        static Launched failed(String profileId, SessionRecord record, String error) {
            return failed(profileId, record, error, false);
        }

        /** @param hostShort for want of a process or descriptor ({@link io.smartrunner.process.SpawnException#hostShort()}) */
        static Launched failed(String profileId, SessionRecord record, String error, boolean hostShort) {
            return new Launched(profileId, record, null, error, 0, hostShort);
        }
    }
}
