package io.smartrunner.cluster;

import io.smartrunner.DaemonThreads;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.ClusterSettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.store.PostgresMembers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Whether this runner's config agrees with the other live runners' about what both run (docs/
 * cluster.md, "Runners that disagree"): it publishes its own at join and at each applied reload,
 * and compares every {@link #HEARTBEATS_PER_CHECK} heartbeat periods (30 s by default) on a thread
 * of its own (a runner that joins later with another config is seen within that). A disagreement
 * is said on stderr when it starts or changes, and is a note of {@code /readyz} (and so of
 * {@code status}) while it lasts: each runner
 * runs the profiles it holds by its own config, so a pod may run at two concurrencies, or a
 * profile with two commands, depending on which runner holds it. It changes nothing by itself.
 */
public final class FleetConfigWatch implements AutoCloseable {
    static final int HEARTBEATS_PER_CHECK = 15;

    private final PostgresMembers members;
    private final String name;
    private final long ttlMs;
    private final long checkEveryMs;
    /** This runner's timings, for the words about runners of an older release. */
    private final String timings;
    private final Consumer<String> say;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("sr-fleet-config"));
    private volatile String note;
    /** What was said last (the timer's thread only). */
    private String said = "";
    /** What was said last about runners of an older release (the timer's thread only). */
    private String olderSaid = "";

    public FleetConfigWatch(PostgresMembers members, String name, ClusterSettings timings, Consumer<String> say) {
        this.members = members;
        this.name = name;
        this.ttlMs = timings.leaseTtlMs();
        this.checkEveryMs = timings.renewEveryMs() * HEARTBEATS_PER_CHECK;
        this.timings = "leaseTtlMs " + timings.leaseTtlMs() + ", renewEveryMs " + timings.renewEveryMs()
                + ", renewDeadlineMs " + timings.renewDeadlineMs();
        this.say = say;
    }

    /** Publishes this config (at start, after the join) and compares now and every {@link #HEARTBEATS_PER_CHECK} heartbeat periods. */
    public void start(RunnerConfig cfg) {
        timer.execute(() -> publish(cfg)); // every comparison on this thread: what was said is its own
        timer.scheduleWithFixedDelay(this::check, checkEveryMs, checkEveryMs, TimeUnit.MILLISECONDS);
    }

    /** After an applied reload: the new config published, and compared at once. */
    public void reloaded(RunnerConfig cfg) {
        try {
            timer.execute(() -> publish(cfg));
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // closed meanwhile
        }
    }

    /** This runner's disagreement with others, for {@code /readyz}'s notes; null while there is none. */
    public String note() {
        return note;
    }

    void publish(RunnerConfig cfg) {
        String json = FleetConfigShape.of(cfg).toJson(); // 630 KB at 10 000 profiles: made once
        try {
            members.publishConfig(FleetConfigShape.digestOf(json), json);
        } catch (SmartRunnerException e) {
            say.accept("could not publish this runner's config for the other runners to compare (compared again"
                    + " at the next reload): " + e.getMessage());
            return;
        }
        check();
    }

    /** One comparison; a database error keeps the last finding (the heartbeat says the database's trouble). */
    void check() {
        List<PublishedConfigs.Disagreement> mine;
        OlderRunners older;
        try {
            List<PostgresMembers.PublishedDigest> digests = members.liveConfigDigests(ttlMs);
            older = OlderRunners.among(digests, name);
            mine = PublishedConfigs.with(members, digests, name);
        } catch (SmartRunnerException e) {
            return;
        } catch (RuntimeException e) {
            // a scheduled task's exception would end the schedule without a word
            say.accept("comparing this runner's config with the fleet's: unexpected error: " + e);
            return;
        }
        StringBuilder text = new StringBuilder();
        List<String> others = new ArrayList<>();
        for (PublishedConfigs.Disagreement d : mine) {
            String other = d.runner().equals(name) ? d.other() : d.runner();
            others.add(other);
            text.append(text.length() == 0 ? "" : "; and from runner ").append(other).append(": ")
                    .append(String.join("; ", d.differences()));
        }
        String now = text.toString();
        if (!now.equals(said)) {
            if (now.isEmpty()) {
                say.accept("this runner's config agrees again with every live runner's about what both run");
            } else {
                say.accept("this runner's config differs from runner " + now + " (each runner runs the profiles it"
                        + " holds by its own config: give every runner of the fleet the same pods and sessions;"
                        + " 'smart-runner runners' lists the differences)");
            }
            said = now;
        }
        String olderNow = older.words(timings);
        if (!olderNow.equals(olderSaid)) {
            if (!olderNow.isEmpty()) {
                say.accept(olderNow);
            } else if (!olderSaid.isEmpty()) {
                say.accept("no live runner of an older release any more: every live runner's config is compared");
            }
            olderSaid = olderNow;
        }
        List<String> notes = new ArrayList<>();
        if (!others.isEmpty()) {
            notes.add("config differs from runner(s) " + String.join(", ", others) + " ('smart-runner runners' lists how)");
        }
        if (!older.none()) {
            List<String> names = new ArrayList<>(older.notCompared());
            older.ownTtlOnly().stream().filter(n -> !names.contains(n)).forEach(names::add);
            notes.add("runner(s) " + String.join(", ", names) + " of an older release ('smart-runner runners' says what"
                    + " that means)");
        }
        note = notes.isEmpty() ? null : String.join("; ", notes);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
