package io.smartrunner.http;

import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.engine.ReloadSummary;
import io.smartrunner.profile.ProfileState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** What the HTTP API may read and change in the running fleet. Implementations are thread-safe. */
public interface FleetControl {
    CompletableFuture<List<ProfileState>> profiles();

    CompletableFuture<ManualReply> request(ManualRequest request);

    /**
     * As {@link #request} for each, the replies in the same order; those the runner applies itself
     * are applied in one turn of its loop (a pod's pauses: no session of the pod starts between two).
     */
    default List<CompletableFuture<ManualReply>> requestAll(List<ManualRequest> requests) {
        return requests.stream().map(this::request).toList();
    }

    /**
     * Reads the configuration file again and applies it.
     *
     * @throws io.smartrunner.SmartRunnerException one line naming the file, path and problem when the
     *         new file is refused; the running configuration then stays
     */
    CompletableFuture<ReloadSummary> reload();

    /** The configuration file the runner reads at a reload (absolute); null when not known. */
    default java.nio.file.Path configFile() {
        return null;
    }

    /** Every pod's breaker and pauses (GET /api/pods); none by default. */
    default CompletableFuture<List<io.smartrunner.breaker.PodStatus>> pods() {
        return CompletableFuture.completedFuture(List.of());
    }

    /**
     * The fleet's runners (GET /api/runners): the JSON of io.smartrunner.cluster.RunnersView.
     *
     * @throws io.smartrunner.SmartRunnerException the cluster database cannot be read
     */
    default Map<String, Object> runners() {
        return Map.of("membership", false, "runners", List.of());
    }

    /**
     * The runner each profile of the last {@link #profiles()} is on (cluster mode: GET
     * /api/profiles shows it as {@code runner}); null when there is one runner (SQLite).
     */
    default java.util.function.Function<String, String> profileRunners() {
        return null;
    }

    /**
     * Whether a live runner holds each profile of the last {@link #profiles()} now (cluster mode:
     * {@code held}; when not, {@code runner} is only the last one to have run it: a profile no
     * live runner's config lists is run by nobody); null when there is one runner (SQLite).
     */
    default java.util.function.Predicate<String> profilesHeld() {
        return null;
    }

    /**
     * The other runner whose machine has {@code profileId}'s session logs (cluster mode: the one
     * holding it, else the one that ran its latest session), as of the last {@link #profiles()};
     * null when that is this runner, nobody, or there is one runner.
     */
    default String runsElsewhere(String profileId) {
        return null;
    }

    /**
     * Lets a held pod start sessions again (POST /api/pods/{pod}/unpause): true when it was held.
     * Answered once its {@code pod-unpause} event is written.
     */
    default CompletableFuture<Boolean> unpausePod(String pod, String by) {
        return CompletableFuture.completedFuture(false);
    }
}
