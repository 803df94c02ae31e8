package io.smartrunner.fleet;

import io.smartrunner.DaemonThreads;
import io.smartrunner.cluster.QueuedControlReads;
import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.store.PostgresControls;
import io.smartrunner.store.StoreException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Applies the fleet's manual controls that concern profiles this runner holds (issue #11.6): on
 * each {@code sr_controls} notification ({@link #wake}) and every {@link #POLL_MS} as a fallback
 * (a notification lost while the LISTEN connection was down), it claims each pending control of
 * a profile held here, applies it through the runner's own manual-control path (so it is
 * recorded with the same events as a local one, {@code by} naming who asked through which
 * runner, {@code params.runner} this runner) and writes the result. One thread,
 * {@code sr-controls}.
 */
public final class ControlRelay implements AutoCloseable {
    static final long POLL_MS = 1_000;
    private static final long APPLY_WAIT_SECONDS = 10;
    /** A control still pending this long after it was asked is answered expired ({@link PostgresControls#expire}). */
    static final Duration CONTROL_TTL = Duration.ofHours(24);
    /** How often a pass also looks for expired controls: every runner's relay does, the first answers them. */
    private static final long EXPIRE_EVERY_NANOS = 60_000_000_000L;

    private final PostgresControls controls;
    private final String runner;
    private final Predicate<String> heldHere;
    private final Function<List<ManualRequest>, List<CompletableFuture<ManualReply>>> apply;
    private final Consumer<String> say;
    private final QueuedControlReads reads;
    /** A pass is queued and has not begun: wakes meanwhile need no other (a takeover of 10 000 profiles wakes it 10 000 times). */
    private final AtomicBoolean woken = new AtomicBoolean();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("sr-controls"));
    private boolean failingSaid;
    /** Set so that the first pass looks. */
    private long lastExpiry = System.nanoTime() - EXPIRE_EVERY_NANOS;

    /**
     * @param heldHere whether this runner holds a profile now (its lease; without leases: it is in
     *                 this runner's configuration)
     * @param apply    the runner's manual-control path (Supervisor.requestAll: one turn of its loop for all)
     * @param reads    told when each pass begins and when it is done (profiles taken over wait for one)
     */
    public ControlRelay(PostgresControls controls, String runner, Predicate<String> heldHere,
                        Function<List<ManualRequest>, List<CompletableFuture<ManualReply>>> apply, Consumer<String> say,
                        QueuedControlReads reads) {
        this.reads = reads;
        this.controls = controls;
        this.runner = runner;
        this.heldHere = heldHere;
        this.apply = apply;
        this.say = say;
    }

    public ControlRelay start() {
        thread.scheduleWithFixedDelay(this::applyPending, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** A control was requested somewhere (NOTIFY): look now rather than at the next poll. */
    public void wake() {
        if (woken.compareAndSet(false, true)) {
            thread.execute(() -> {
                woken.set(false); // a wake from here on needs a pass of its own
                applyPending();
            });
        }
    }

    /** One pass over the pending controls (the thread's work; tests call it directly). */
    void applyPending() {
        try {
            long ticket = reads.readBegins();
            long after = 0;
            List<PostgresControls.Control> page;
            do {
                page = controls.pending(after);
                // the page's controls of profiles held here claimed in one statement, then handed to the
                // loop as one message, then each answer written: a pod's five hundred controls are one
                // loop turn's work (in the order handed over). Claimed one by one, a round trip each,
                // the loop turned in between: a pause --pod freed slots that profiles about to be
                // paused started sessions in, stopped a second later (reviewer R5: 8 of 1 200); handed
                // over one by one, still a few (4 of 400)
                List<PostgresControls.Control> heldPage = page.stream().filter(c -> heldHere.test(c.profileId()))
                        .toList();
                java.util.Set<Long> mine = controls.claimAll(
                        heldPage.stream().map(PostgresControls.Control::seq).toList(), runner);
                Map<PostgresControls.Control, CompletableFuture<ManualReply>> claimed = handOver(
                        heldPage.stream().filter(c -> mine.contains(c.seq())).toList());
                if (!page.isEmpty()) {
                    after = page.get(page.size() - 1).seq();
                }
                claimed.forEach((c, reply) -> controls.finish(c.seq(), answer(reply)));
            } while (page.size() == PostgresControls.PAGE);
            reads.readDone(ticket);
            expireStale();
            failingSaid = false;
        } catch (StoreException e) {
            if (!failingSaid) {
                failingSaid = true;
                say.accept("fleet controls: cannot read them from PostgreSQL, retrying every " + POLL_MS + " ms: "
                        + e.getMessage());
            }
        } catch (RuntimeException e) {
            say.accept("fleet controls: " + e);
        }
    }

    /** At most once a minute (the first pass always): answers the controls nobody held a profile for. */
    private void expireStale() {
        long now = System.nanoTime();
        if (now - lastExpiry < EXPIRE_EVERY_NANOS) {
            return;
        }
        lastExpiry = now;
        for (PostgresControls.Expired e : controls.expire(CONTROL_TTL, runner)) {
            say.accept("fleet controls: control " + e.seq() + " (" + e.action() + " " + e.profileId() + ", asked by "
                    + e.requestedBy() + ") " + e.result());
        }
    }

    /**
     * The controls handed to the runner's loop together, each with its reply, in order; one whose
     * row cannot be read as a request is answered "failed" at once.
     */
    private Map<PostgresControls.Control, CompletableFuture<ManualReply>> handOver(List<PostgresControls.Control> claimed) {
        Map<PostgresControls.Control, CompletableFuture<ManualReply>> replies = new LinkedHashMap<>();
        List<PostgresControls.Control> readable = new java.util.ArrayList<>();
        List<ManualRequest> requests = new java.util.ArrayList<>();
        for (PostgresControls.Control c : claimed) {
            try {
                requests.add(requestOf(c));
                readable.add(c);
                replies.put(c, null); // its place, in the order claimed
            } catch (IllegalArgumentException e) {
                // claimed, so it is answered once: the asker reads "failed: …", the next pass goes on
                say.accept("fleet controls: control " + c.seq() + " (" + c.action() + " " + c.profileId()
                        + ", asked by " + c.requestedBy() + ") not applied: " + e.getMessage());
                replies.put(c, CompletableFuture.completedFuture(
                        new ManualReply(ManualReply.Outcome.FAILED, null, e.getMessage())));
            }
        }
        List<CompletableFuture<ManualReply>> applied;
        try {
            applied = requests.isEmpty() ? List.of() : apply.apply(requests);
        } catch (RuntimeException e) { // claimed: answered "failed: …" like a loop that threw, never left claimed
            applied = requests.stream().map(r -> CompletableFuture.<ManualReply>failedFuture(e)).toList();
        }
        for (int i = 0; i < readable.size(); i++) {
            replies.put(readable.get(i), applied.get(i));
        }
        return replies;
    }

    /** The result written for a control handed over: "done", or why not. */
    private static String answer(CompletableFuture<ManualReply> reply) {
        try {
            return resultOf(reply.get(APPLY_WAIT_SECONDS, TimeUnit.SECONDS));
        } catch (TimeoutException e) {
            return "failed: the runner did not answer within " + APPLY_WAIT_SECONDS + " s";
        } catch (ExecutionException e) {
            return "failed: " + e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "failed: interrupted";
        }
    }

    /** The control's words for a request (the {@code controls} row), and back. */
    static String action(ManualRequest r) {
        if (r instanceof ManualRequest.Pause) {
            return "pause";
        } else if (r instanceof ManualRequest.Unpause) {
            return "unpause";
        } else if (r instanceof ManualRequest.ResetStreak) {
            return "reset";
        }
        return "run";
    }

    static Map<String, Object> args(ManualRequest r) {
        Map<String, Object> args = new LinkedHashMap<>();
        if (r instanceof ManualRequest.Pause p) {
            args.put("durationMs", p.duration().toMillis());
            args.put("reason", p.reason());
        }
        return args;
    }

    /**
     * The request a control row asks for.
     *
     * @throws IllegalArgumentException for a row no runner of this version wrote (args not an object, a
     *                                  pause without a positive {@code durationMs}, an unknown action)
     */
    static ManualRequest requestOf(PostgresControls.Control c) {
        if (c.unreadable() != null) {
            throw new IllegalArgumentException(c.unreadable());
        }
        String by = c.requestedBy();
        return switch (c.action()) {
            case "pause" -> new ManualRequest.Pause(c.profileId(), Duration.ofMillis(durationMs(c.args())),
                    c.args().get("reason") instanceof String reason ? reason : null, by);
            case "unpause" -> new ManualRequest.Unpause(c.profileId(), by);
            case "reset" -> new ManualRequest.ResetStreak(c.profileId(), by);
            case "run" -> new ManualRequest.RunNow(c.profileId(), by);
            default -> throw new IllegalArgumentException("unknown action \"" + c.action()
                    + "\" (expected pause, unpause, reset or run)");
        };
    }

    private static long durationMs(Map<String, Object> args) {
        Object ms = args.get("durationMs");
        if (ms instanceof Number n && n.longValue() > 0 && n.doubleValue() == n.longValue()) {
            return n.longValue();
        }
        throw new IllegalArgumentException("a pause's args need durationMs, a positive whole number of ms (got "
                + (ms == null ? "none" : ms) + ")");
    }

    /** "done", or the outcome's word and why: read back by the runner that was asked. */
    static String resultOf(ManualReply reply) {
        return reply.outcome() == ManualReply.Outcome.DONE ? "done"
                : reply.outcome().name().toLowerCase(java.util.Locale.ROOT) + ": " + reply.refusal();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
