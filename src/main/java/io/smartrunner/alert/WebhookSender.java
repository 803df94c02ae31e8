package io.smartrunner.alert;

import io.smartrunner.DaemonThreads;
import io.smartrunner.config.AlertSettings;
import io.smartrunner.config.AlertSettings.Webhook;
import io.smartrunner.event.Redactor;
import io.smartrunner.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Delivers queued alerts to every webhook on one daemon thread. {@link #enqueue} never waits (see
 * {@link AlertQueue}). A delivery that gets no answer, times out, or gets HTTP 5xx or 429 is
 * retried up to {@code retries} times, waiting retryBackoffMs, then twice as long each time (at
 * least the receiver's Retry-After), capped; any other answer is final. Failures reach the
 * diagnostics as two lines per burst ({@link FailureBurst}), drops as two lines per spell.
 * {@link #close} stops taking alerts, stops waiting between retries, gives what is queued one
 * attempt each for up to timeoutMs (at most {@link #MAX_DRAIN_MS}), then abandons the rest and
 * says how many.
 * Thread-safe.
 */
final class WebhookSender implements AutoCloseable {
    /** Longest a stopping sender keeps delivering what is already queued. */
    static final long MAX_DRAIN_MS = 5_000;
    private static final long JOIN_AFTER_INTERRUPT_MS = 1_000;

    /**
     * @param delivered      deliveries that reached a webhook (one per alert and webhook)
     * @param failedAttempts attempts that did not
     * @param givenUp        deliveries abandoned: final answer, retries used up, or stopping
     * @param dropped        alerts dropped because the queue was full
     * @param waiting        alerts in the queue now
     */
    public record Stats(long delivered, long failedAttempts, long givenUp, long dropped, int waiting) {
    }

    private final AlertSettings settings;
    private final List<Webhook> webhooks;
    private final List<FailureBurst> bursts;
    private final WebhookPost post;
    private final Redactor redactor;
    private final TimeSource time;
    private final Waiter waiter;
    private final Consumer<String> diagnostics;
    private final AlertQueue queue;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong givenUp = new AtomicLong();
    private volatile boolean stopping;

    WebhookSender(AlertSettings settings, Redactor redactor, TimeSource time, Waiter waiter,
                  Consumer<String> diagnostics) {
        this.settings = settings;
        this.webhooks = settings.webhooks();
        this.bursts = webhooks.stream().map(w -> new FailureBurst("webhook " + w.origin(), diagnostics)).toList();
        this.post = new WebhookPost(Duration.ofMillis(settings.timeoutMs()));
        this.redactor = redactor;
        this.time = time;
        this.waiter = waiter;
        this.diagnostics = diagnostics;
        this.queue = new AlertQueue(settings.queueSize());
        this.thread = DaemonThreads.daemon(this::run, "smart-runner-alerts");
    }

    void start() {
        thread.start();
    }

    /** Queues one alert and returns at once; when the queue is full the oldest alert is dropped. */
    void enqueue(Alert alert) {
        if (queue.offer(alert) == AlertQueue.Offered.DROPPED_OLDEST_FIRST) {
            diagnostics.accept("alerts: queue full (" + settings.queueSize()
                    + " waiting); dropping the oldest until the webhooks catch up");
        }
    }

    Stats stats() {
        return new Stats(delivered.get(), failedAttempts.get(), givenUp.get(), queue.dropped(), queue.size());
    }

    /** Delay before retry number {@code retry} (0-based): doubling from retryBackoffMs, capped. */
    static long backoffMillis(long baseMs, int retry, long retryAfterMs) {
        long cap = Math.max(AlertSettings.MAX_BACKOFF_MS, baseMs);
        return Math.min(cap, Math.max(baseMs << Math.min(retry, 30), retryAfterMs));
    }

    private void run() {
        int undelivered = 0;
        try {
            for (Alert alert; (alert = queue.take()) != null; ) {
                undelivered = 1;
                deliver(alert);
                undelivered = 0;
                long spell = queue.endSpellIfEmpty();
                if (spell > 0) {
                    diagnostics.accept("alerts: " + spell + " alert(s) dropped while the queue was full");
                }
            }
        } catch (InterruptedException e) {
            // stopped past the drain time: the rest is abandoned and reported below
        } finally {
            long now = time.nanoTime();
            bursts.forEach(b -> b.stopped(now));
            long spell = queue.endSpell();
            if (spell > 0) {
                diagnostics.accept("alerts: " + spell + " alert(s) dropped while the queue was full");
            }
            undelivered += queue.size();
            if (undelivered > 0) {
                diagnostics.accept("alerts: stopped with " + undelivered + " alert(s) not delivered");
            }
        }
    }

    /** To every webhook in turn; one that throws is reported and the others still get the alert. */
    private void deliver(Alert alert) throws InterruptedException {
        byte[] body;
        try {
            body = AlertJson.body(alert, redactor);
        } catch (RuntimeException e) {
            diagnostics.accept("alerts: could not build the " + alert.trigger().wireName() + " alert: " + e);
            return;
        }
        for (int i = 0; i < webhooks.size(); i++) {
            try {
                deliver(webhooks.get(i), bursts.get(i), body);
            } catch (RuntimeException e) {
                givenUp.incrementAndGet();
                diagnostics.accept("alerts: webhook " + webhooks.get(i).origin() + ": "
                        + redactor.redact(e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        }
    }

    private void deliver(Webhook hook, FailureBurst burst, byte[] body) throws InterruptedException {
        for (int retry = 0; ; retry++) {
            WebhookPost.Attempt attempt = post.send(hook, body);
            if (attempt.delivered()) {
                delivered.incrementAndGet();
                burst.delivered(time.nanoTime());
                return;
            }
            failedAttempts.incrementAndGet();
            boolean willRetry = attempt.retryable() && retry < settings.retries() && !stopping;
            burst.attemptFailed(redactor.redact(attempt.why()), willRetry, time.nanoTime());
            if (!willRetry) {
                givenUp.incrementAndGet();
                burst.gaveUp();
                return;
            }
            waiter.await(backoffMillis(settings.retryBackoffMs(), retry, attempt.retryAfterMs()));
        }
    }

    /** Takes no more alerts and ends any backoff wait: what is queued gets its last attempt. Idempotent. */
    void stopAccepting() {
        queue.close();
        stopping = true;
        waiter.wake();
    }

    /** Stops within timeoutMs (at most {@link #MAX_DRAIN_MS}) plus a second, whatever the webhooks do. Idempotent. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        stopAccepting();
        try {
            thread.join(Math.min(settings.timeoutMs(), MAX_DRAIN_MS));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(JOIN_AFTER_INTERRUPT_MS);
            }
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
        }
    }
}
