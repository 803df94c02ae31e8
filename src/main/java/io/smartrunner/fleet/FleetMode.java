package io.smartrunner.fleet;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.cluster.FleetEventSink;
import io.smartrunner.cluster.FleetEventWriter;
import io.smartrunner.cluster.FleetReportFeed;
import io.smartrunner.cluster.Membership;
import io.smartrunner.cluster.NotifyListener;
import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventSink;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.PausePolicy;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.http.EventPages;
import io.smartrunner.http.FleetControl;
import io.smartrunner.http.NewEvents;
import io.smartrunner.store.PostgresControls;
import io.smartrunner.store.PostgresEvents;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.store.StateStore;
import io.smartrunner.time.TimeSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The fleet view of a runner in cluster mode (issue #11.6), wired in one place: its events also
 * go to PostgreSQL ({@link FleetEventSink}), its API reads the fleet ({@link FleetView},
 * {@link #eventPages()}), live updates arrive by LISTEN ({@link NotifyListener}), and manual
 * controls of the profiles it holds, asked of any runner, are applied here ({@link ControlRelay}).
 * Absent with SQLite ({@link #of} returns null): nothing of it runs there.
 *
 * <p>Which profiles this runner holds and under which lease epoch are injected
 * ({@link #withLeases}); until leases are wired in, a runner holds the profiles of its own
 * configuration and writes unfenced (epoch null).
 */
public final class FleetMode implements AutoCloseable {
    private final PostgresStateStore store;
    private final io.smartrunner.config.StoreSettings settings;
    private final String runner;
    private final Consumer<String> say;
    private final FleetEventWriter writer;
    private final java.nio.file.Path eventLog;
    private final io.smartrunner.config.RecoverySettings recovery;
    private final Redactor redactor;
    private final long leaseTtlMs;
    private Predicate<String> heldHere;
    private Function<String, Long> epochs = id -> null;
    private io.smartrunner.cluster.QueuedControlReads reads = io.smartrunner.cluster.QueuedControlReads.NONE;
    private ControlRelay relay;
    private NotifyListener listener;
    private FleetView view;
    private FleetReportFeed reportFeed;
    /** This run's: the catch-up reads what this data dir's earlier runs wrote. */
    private final long incarnation;
    /** The cluster's wall clock (the database's): a control this runner writes for an unheld profile is dated by it. */
    private final TimeSource clock;

    private FleetMode(PostgresStateStore store, RunnerConfig cfg, long incarnation, TimeSource clock,
                      Consumer<String> say) {
        this.store = store;
        this.clock = clock;
        this.settings = cfg.store();
        this.runner = cfg.runner().name();
        this.eventLog = cfg.runner().eventLog();
        this.recovery = cfg.recovery();
        this.redactor = new Redactor(cfg.secretValues());
        this.leaseTtlMs = cfg.cluster().leaseTtlMs();
        this.say = say;
        Set<String> configured = cfg.profiles().stream().map(ProfileConfig::id).collect(Collectors.toSet());
        this.heldHere = configured::contains;
        this.incarnation = incarnation;
        this.writer = new FleetEventWriter(store.events(), runner, incarnation, say).start();
    }

    /** The fleet view when the store is PostgreSQL, else null. */
    public static FleetMode of(RunnerConfig cfg, StateStore store, Membership membership, Consumer<String> say) {
        if (!(store instanceof PostgresStateStore postgres) || membership == null) {
            return null;
        }
        return new FleetMode(postgres, cfg, membership.incarnation(), membership.clock(), say);
    }

    /**
     * Plugs in the leases (before {@link #tee} and {@link #view} are used).
     *
     * @param heldHere whether this runner holds a profile's lease now
     * @param epochs   the epoch its events about a profile are fenced with (ProfileLeases.lastEpoch), or null
     * @param reads    the leases' side of the queued controls a takeover waits for
     */
    public FleetMode withLeases(Predicate<String> heldHere, Function<String, Long> epochs,
                                io.smartrunner.cluster.QueuedControlReads reads) {
        this.heldHere = heldHere;
        this.epochs = epochs;
        this.reads = reads;
        return this;
    }

    /**
     * The runner's event sink: the fleet's table, then the local log (FleetEventSink says why).
     * First copies into the local log what this data dir's earlier runs wrote to the table after
     * the local log's newest event of its own: a previous run stopped between the two writes
     * (kill -9), and this log must have the events the fleet has, a session's end above all,
     * exactly once. Else sends the table what those runs wrote to the local log only (the database
     * was away), before anything of this run's ({@link io.smartrunner.cluster.FleetTableCatchUp}).
     */
    public EventSink tee(EventSink local) {
        catchUp(local);
        return new FleetEventSink(local, runner, epochs, writer);
    }

    private void catchUp(EventSink local) {
        if (io.smartrunner.cluster.LocalLogCatchUp.run(eventLog, runner, incarnation, local, store.events(), say) == 0) {
            // the other way: what an earlier run kept in its own log while the database was away
            io.smartrunner.cluster.FleetTableCatchUp.run(eventLog, runner, incarnation, store.events(), writer, say);
        }
    }

    /**
     * The API's view of the fleet, and the relay that applies controls here. Starts listening.
     *
     * @param local     this runner's own control surface
     * @param apply     the runner's manual-control path (Supervisor.requestAll)
     * @param newEvents woken on every event any runner writes (the live streams)
     */
    public FleetControl view(FleetControl local, Function<List<ManualRequest>, List<CompletableFuture<ManualReply>>> apply,
                             NewEvents newEvents) {
        PostgresControls controls = store.controls();
        relay = new ControlRelay(controls, runner, heldHere, apply, say, reads);
        reads.readBy(relay::wake);
        UnheldControl unheld = new UnheldControl(store, new ProfileRules(PausePolicy.from(recovery)), redactor,
                leaseTtlMs, clock);
        FleetView view = new FleetView(local, store.fleetProfiles(leaseTtlMs), controls, unheld, runner, heldHere,
                clock, say);
        this.view = view;
        listener = new NotifyListener(settings, List.of(PostgresEvents.CHANNEL, PostgresControls.CHANNEL),
                (channel, payload) -> {
                    if (channel.equals(PostgresControls.CHANNEL)) {
                        relay.wake();
                    } else {
                        newEvents.accept(List.of());
                        view.fleetChanged();
                        if (reportFeed != null) {
                            reportFeed.wake();
                        }
                    }
                }, say);
        return view;
    }

    /** GET /api/report over the whole fleet's events (read from PostgreSQL, kept current by NOTIFY). */
    public io.smartrunner.report.LiveReport report() {
        reportFeed = new FleetReportFeed(store.events(), say);
        return reportFeed.report();
    }

    /** Starts applying controls and listening: once the runner has reconciled and runs its loop. */
    public void start() {
        relay.start();
        listener.start();
    }

    /** Where /api/events reads: the fleet's events. */
    public EventPages eventPages() {
        PostgresEvents events = store.events();
        return new EventPages() {
            @Override
            public EventLogReader.Page pageAfter(long after, int limit, EventFilter filter) {
                return events.pageAfter(after, limit, filter);
            }

            @Override
            public EventLogReader.Page pageBefore(long before, int limit, EventFilter filter) {
                return events.pageBefore(before, limit, filter);
            }

            @Override
            public long end() {
                return events.end();
            }
        };
    }

    /** Events the database refused as stale, for /metrics. */
    public long staleEventsRejected() {
        return writer.staleRejected();
    }

    /** Events kept in the local log only (too many waited for the database), for /metrics. */
    public long eventsNotSent() {
        return writer.notQueued();
    }

    @Override
    public void close() {
        if (view != null) {
            view.close();
        }
        if (listener != null) {
            listener.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (reportFeed != null) {
            reportFeed.close();
        }
        writer.close();
    }
}
