package io.smartrunner.alert;

import io.smartrunner.config.AlertSettings;
import io.smartrunner.config.AlertSettings.Trigger;
import io.smartrunner.config.AlertSettings.Webhook;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.RecallsRecentEvents;
import io.smartrunner.event.Redactor;
import io.smartrunner.time.TimeSource;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Webhook alerts, as one subscriber of the event fan-out: each batch of written events goes
 * through the {@link AlertRules} and the alerts they raise are queued for the
 * {@link WebhookSender}. {@link #accept} only computes and queues, so it returns at once whatever
 * the webhooks do. With alerts off ({@link AlertSettings#enabled()}) it does nothing and starts no
 * thread. {@link #accept} is for one thread at a time (the supervisor loop); {@link #close} may be
 * called from any thread.
 */
public final class WebhookAlerts implements Consumer<List<EventRecord>>, RecallsRecentEvents, AutoCloseable {
    private final AlertRules rules;
    /** One per webhook, each with its own queue and thread: a webhook that hangs delays only itself. */
    private final List<WebhookSender> senders;

    private WebhookAlerts(AlertRules rules, List<WebhookSender> senders) {
        this.rules = rules;
        this.senders = senders;
    }

    /**
     * Starts the sender thread when alerts are on, and says so in one line.
     *
     * @param secretValues masked out of every alert (the config's secrets)
     * @param diagnostics  the runner's stderr
     */
    public static WebhookAlerts start(AlertSettings settings, Set<String> secretValues, Consumer<String> diagnostics) {
        return start(settings, secretValues, TimeSource.system(), Waiter::real, diagnostics);
    }

    static WebhookAlerts start(AlertSettings settings, Set<String> secretValues, TimeSource time,
                               java.util.function.Supplier<Waiter> waiters, Consumer<String> diagnostics) {
        if (!settings.enabled()) {
            return new WebhookAlerts(null, List.of());
        }
        Redactor redactor = new Redactor(secretValues);
        List<WebhookSender> senders = settings.webhooks().stream().map(hook -> new WebhookSender(
                new AlertSettings(List.of(hook), settings.on(), settings.failureRate(), settings.queueSize(),
                        settings.retries(), settings.retryBackoffMs(), settings.timeoutMs()),
                redactor, time, waiters.get(), diagnostics)).toList();
        senders.forEach(WebhookSender::start);
        diagnostics.accept("alerts: " + settings.on().stream().sorted().map(Trigger::wireName)
                .collect(Collectors.joining(", ")) + " to " + settings.webhooks().stream().map(Webhook::origin)
                .collect(Collectors.joining(", ")));
        return new WebhookAlerts(new AlertRules(settings, time), senders);
    }

    @Override
    public void accept(List<EventRecord> written) {
        if (rules == null) {
            return;
        }
        for (Alert alert : rules.apply(written)) {
            senders.forEach(s -> s.enqueue(alert));
        }
    }

    /** At start-up: the failure-rate window takes back the sessions that ended before the restart; nothing is sent. */
    @Override
    public void recall(List<EventRecord> oldestFirst, Instant now) {
        if (rules != null) {
            rules.recall(oldestFirst, now);
        }
    }

    /** Delivery counts so far; null when alerts are off. Thread-safe. */
    public WebhookSender.Stats stats() {
        if (senders.isEmpty()) {
            return null;
        }
        long delivered = 0;
        long failed = 0;
        long givenUp = 0;
        long dropped = 0;
        int waiting = 0;
        for (WebhookSender s : senders) {
            WebhookSender.Stats one = s.stats();
            delivered += one.delivered();
            failed += one.failedAttempts();
            givenUp += one.givenUp();
            dropped += one.dropped();
            waiting += one.waiting();
        }
        return new WebhookSender.Stats(delivered, failed, givenUp, dropped, waiting);
    }

    /** Stops every sender at once, then waits for each (so the drain times overlap, not add up). */
    @Override
    public void close() {
        senders.forEach(WebhookSender::stopAccepting);
        senders.forEach(WebhookSender::close);
    }
}
