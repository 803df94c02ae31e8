package io.smartrunner.cli;

import io.smartrunner.cluster.FleetConfigWatch;
import io.smartrunner.cluster.LeaseKeeper;
import io.smartrunner.cluster.Membership;
import io.smartrunner.cluster.ProfileLeases;
import io.smartrunner.cluster.ProcessFence;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.engine.Supervisor;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.store.RunnerName;

/** How {@code run} joins the cluster (PostgreSQL store) and what its heartbeat reports. */
final class ClusterMember {
    private ClusterMember() {
    }

    /**
     * Cluster mode: joins the fleet under runner.name before anything runs (refused, exit 1, when
     * a live runner has the name). SQLite: no membership (null).
     */
    static Membership join(RunnerConfig cfg, RunnerHome home) {
        if (!(home.store instanceof PostgresStateStore postgres)) {
            return null;
        }
        Membership membership = Membership.join(postgres.members(), cfg.runner(), cfg.cluster(),
                io.smartrunner.time.TimeSource.system(), RunnerName.hostName(),
                ProcessHandle.current().pid(), RunCommand::say);
        RunCommand.say("joined the cluster as runner \"" + cfg.runner().name() + "\" (incarnation "
                + membership.incarnation() + (cfg.runner().labels().isEmpty() ? "" : ", labels " + String.join(",", cfg.runner().labels()))
                + ")");
        return membership;
    }

    /**
     * Cluster mode: this runner's config published for the others to compare, and theirs compared
     * with it from now on (said when they disagree). SQLite: none (null).
     */
    static FleetConfigWatch watchConfig(RunnerConfig cfg, RunnerHome home, Membership membership) {
        if (membership == null || !(home.store instanceof PostgresStateStore postgres)) {
            return null;
        }
        FleetConfigWatch watch = new FleetConfigWatch(postgres.members(), cfg.runner().name(), cfg.cluster(),
                RunCommand::say);
        watch.start(cfg);
        return watch;
    }

    /**
     * Cluster mode: the lease keeper, renewed by every heartbeat and fencing every store write;
     * SQLite: {@link ProfileLeases#single()}.
     */
    static ProfileLeases leases(RunnerConfig cfg, RunnerHome home, Membership membership) {
        if (membership == null || !(home.store instanceof PostgresStateStore postgres)) {
            return ProfileLeases.single();
        }
        LeaseKeeper keeper = new LeaseKeeper(postgres.leases(), membership.incarnation(), cfg.cluster(),
                io.smartrunner.time.TimeSource.system()::nanoTime, RunCommand::say);
        postgres.fence(keeper);
        membership.keep(keeper);
        return keeper;
    }

    /** Why the leases keep this runner from running sessions (self-fencing, keeper failing), or null. */
    static String leaseProblem(ProfileLeases leases) {
        return leases instanceof LeaseKeeper keeper ? keeper.problem() : null;
    }

    /**
     * Cluster mode: the process watchdog, started before anything is launched (the reconcile may
     * keep a browser), so this runner's sessions die with it. SQLite: none (null).
     */
    static ProcessFence fence(RunnerConfig cfg) {
        if (cfg.store().kind() != StoreSettings.Kind.POSTGRES) {
            return null;
        }
        ProcessFence fence = ProcessFence.start(cfg.cluster(), RunCommand::say);
        RunCommand.say("sessions are fenced by the " + fence.describe());
        return fence;
    }

    /** Asked from the heartbeat thread: the loop answers between turns; null (keep the last) if it is busy. */
    static Integer runningSessions(Supervisor supervisor, ProfileLeases leases) {
        try {
            // cluster mode: the profiles held elsewhere show the state this runner loaded at start
            return (int) supervisor.profiles().get(1, java.util.concurrent.TimeUnit.SECONDS).stream()
                    .filter(p -> p.running() && (!leases.clustered() || leases.epoch(p.profileId()) != null)).count();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        }
    }
}
