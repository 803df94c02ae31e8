package io.smartrunner.alert;

import io.smartrunner.config.AlertSettings;
import io.smartrunner.config.AlertSettings.Trigger;
import io.smartrunner.config.AlertSettings.Webhook;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Redactor;
import io.smartrunner.time.TimeSource;
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
public final class WebhookAlerts implements Consumer<List<EventRecord>>, AutoCloseable {
    private final AlertRules rules;
    private final WebhookSender sender;

    private WebhookAlerts(AlertRules rules, WebhookSender sender) {
        this.rules = rules;
        this.sender = sender;
    }

    /**
     * Starts the sender thread when alerts are on, and says so in one line.
     *
     * @param secretValues masked out of every alert (the config's secrets)
     * @param diagnostics  the runner's stderr
     */
    public static WebhookAlerts start(AlertSettings settings, Set<String> secretValues, Consumer<String> diagnostics) {
        return start(settings, secretValues, TimeSource.system(), Waiter.real(), diagnostics);
    }

    static WebhookAlerts start(AlertSettings settings, Set<String> secretValues, TimeSource time, Waiter waiter,
                               Consumer<String> diagnostics) {
        if (!settings.enabled()) {
            return new WebhookAlerts(null, null);
        }
        WebhookSender sender = new WebhookSender(settings, new Redactor(secretValues), time, waiter, diagnostics);
        sender.start();
        diagnostics.accept("alerts: " + settings.on().stream().sorted().map(Trigger::wireName)
                .collect(Collectors.joining(", ")) + " to " + settings.webhooks().stream().map(Webhook::origin)
                .collect(Collectors.joining(", ")));
        return new WebhookAlerts(new AlertRules(settings, time), sender);
    }

    @Override
    public void accept(List<EventRecord> written) {
        if (rules == null) {
            return;
        }
        for (Alert alert : rules.apply(written)) {
            sender.enqueue(alert);
        }
    }

    /** Delivery counts so far; null when alerts are off. Thread-safe. */
    public WebhookSender.Stats stats() {
        return sender == null ? null : sender.stats();
    }

    @Override
    public void close() {
        if (sender != null) {
            sender.close();
        }
    }
}
