package io.smartrunner.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.config.AlertSettings;
import io.smartrunner.config.AlertSettings.Trigger;
import io.smartrunner.config.AlertSettings.Webhook;
import io.smartrunner.event.Events;
import io.smartrunner.time.ManualTimeSource;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sender against a real HTTP receiver on 127.0.0.1; retry waits are recorded, not slept. */
@Timeout(30)
class WebhookSenderTest {
    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    private static final String HOOK_SECRET = "T0-B0-s3cretPath";
    private static final String TOKEN = "Bearer t0ken-for-alerts";
    private final ManualTimeSource clock = new ManualTimeSource(T0);
    private final RecordingWaiter waiter = new RecordingWaiter();
    private final BlockingQueue<String> diagnostics = new LinkedBlockingQueue<>();
    private final WebhookReceiver receiver;
    private WebhookSender sender;

    WebhookSenderTest() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.close();
        }
        receiver.close();
    }

    /** Records each wait and returns at once. */
    static final class RecordingWaiter implements Waiter {
        final List<Long> waits = new CopyOnWriteArrayList<>();

        @Override
        public void await(long millis) {
            waits.add(millis);
        }

        @Override
        public void wake() {
        }
    }

    private AlertSettings settings(int queueSize, int retries) {
        return new AlertSettings(List.of(new Webhook(receiver.url("/hook/" + HOOK_SECRET), Map.of("Authorization", TOKEN))),
                EnumSet.allOf(Trigger.class), AlertSettings.FailureRate.defaults(), queueSize, retries, 100, 5000);
    }

    private WebhookSender start(AlertSettings settings, Waiter waiter) {
        sender = new WebhookSender(settings, new io.smartrunner.event.Redactor(Set.of(TOKEN, HOOK_SECRET)), clock, waiter,
                diagnostics::add);
        sender.start();
        return sender;
    }

    private static Alert alert(String profileId) {
        return new Alert(Trigger.PAUSE, T0, "podA", profileId, "Smart Runner: profile " + profileId + " paused",
                Events.params("errorStreak", 4, "reason", "errorStreak 4 > 3"));
    }

    private static String profileOf(WebhookReceiver.Request r) throws Exception {
        return new ObjectMapper().readTree(r.body()).get("profileId").asText();
    }

    @Test
    void retriesAfter5xxThenDeliversExactlyOnce() throws Exception {
        receiver.answer(500, 503, 200);
        start(settings(10, 5), waiter);

        sender.enqueue(alert("a"));
        sender.enqueue(alert("b"));

        List<String> order = List.of(profileOf(receiver.next()), profileOf(receiver.next()), profileOf(receiver.next()),
                profileOf(receiver.next()));
        assertEquals(List.of("a", "a", "a", "b"), order, "a retried until delivered, then b; never a again");
        assertEquals(List.of(100L, 200L), waiter.waits, "backoff doubles from retryBackoffMs");
        sender.close();
        assertEquals(new WebhookSender.Stats(2, 2, 0, 0, 0), sender.stats());
        assertEquals(4, receiver.requests().size());
        List<String> lines = List.copyOf(diagnostics);
        assertEquals(2, lines.size(), () -> "one line when the burst starts, one when it ends: " + lines);
        assertTrue(lines.get(0).startsWith("alerts: webhook http://127.0.0.1:" + receiver.port()
                + " failing (HTTP 500: no); retrying with backoff"), lines.get(0));
        assertTrue(lines.get(1).contains("delivering again after 2 failed attempt(s) in 0 s, 0 alert(s) given up"),
                lines.get(1));
        assertFalse(String.join("\n", lines).contains(HOOK_SECRET), "the URL's path is never printed");
    }

    @Test
    void postsSlackCompatibleJsonWithTheHeadersAndWithoutSecrets() throws Exception {
        start(settings(10, 0), waiter);
        sender.enqueue(new Alert(Trigger.EXHAUSTED, T0, "podA", "p1", "leaked " + TOKEN,
                Events.params("message", "url was http://x/" + HOOK_SECRET, "steps", 5)));

        WebhookReceiver.Request r = receiver.next();

        assertEquals("/hook/" + HOOK_SECRET, r.path());
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals(TOKEN, r.header("Authorization"));
        JsonNode body = new ObjectMapper().readTree(r.body());
        assertEquals(List.of("text", "alert", "pod", "profileId", "ts", "details"), fieldNames(body));
        assertEquals("leaked ***", body.get("text").asText());
        assertEquals("exhausted", body.get("alert").asText());
        assertEquals("2026-11-28T10:00:00.000Z", body.get("ts").asText());
        assertEquals("url was http://x/***", body.get("details").get("message").asText());
        assertEquals(5, body.get("details").get("steps").asInt());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void aClientErrorIsNotRetried() throws Exception {
        receiver.answer(400, 200);
        start(settings(10, 5), waiter);

        sender.enqueue(alert("a"));
        sender.enqueue(alert("b"));

        assertEquals(List.of("a", "b"), List.of(profileOf(receiver.next()), profileOf(receiver.next())));
        assertEquals(List.of(), waiter.waits);
        sender.close();
        assertEquals(new WebhookSender.Stats(1, 1, 1, 0, 0), sender.stats());
        assertTrue(diagnostics.stream().anyMatch(l -> l.contains("failing (HTTP 400: no); further failures")),
                diagnostics.toString());
    }

    @Test
    void retriesAreBoundedAndTheAlertIsThenGivenUp() throws Exception {
        receiver.answer(503, 503, 503, 200);
        start(settings(10, 2), waiter);

        sender.enqueue(alert("a"));
        sender.enqueue(alert("b"));

        List<String> order = List.of(profileOf(receiver.next()), profileOf(receiver.next()), profileOf(receiver.next()),
                profileOf(receiver.next()));
        assertEquals(List.of("a", "a", "a", "b"), order);
        sender.close();
        assertEquals(new WebhookSender.Stats(1, 3, 1, 0, 0), sender.stats());
        assertTrue(diagnostics.stream().anyMatch(l -> l.contains("3 failed attempt(s) in 0 s, 1 alert(s) given up")),
                diagnostics.toString());
    }

    @Test
    void aHangingReceiverDoesNotBlockAccept() throws Exception {
        WebhookAlerts alerts = WebhookAlerts.start(settings(10, 0), Set.of(), clock, () -> waiter, diagnostics::add);
        try {
            receiver.hold();
            alerts.accept(List.of(pause("p1")));
            assertEquals("p1", profileOf(receiver.next()), "the sender is now stuck in a request that hangs");

            CountDownLatch returned = new CountDownLatch(1);
            Thread loop = new Thread(() -> {
                alerts.accept(List.of(pause("p2")));
                returned.countDown();
            });
            loop.start();

            assertTrue(returned.await(10, TimeUnit.SECONDS), "accept returned while the receiver hangs");
            assertEquals(1, alerts.stats().waiting(), "p2 waits in the queue");
            receiver.release();
            assertEquals("p2", profileOf(receiver.next()));
        } finally {
            alerts.close();
        }
    }

    @Test
    void aHangingWebhookDelaysOnlyItselfTheOthersGetEveryAlertAtOnce() throws Exception {
        try (WebhookReceiver healthy = new WebhookReceiver()) {
            AlertSettings two = new AlertSettings(List.of(new Webhook(receiver.url("/hook/" + HOOK_SECRET), Map.of()),
                    new Webhook(healthy.url("/other"), Map.of())), EnumSet.allOf(Trigger.class),
                    AlertSettings.FailureRate.defaults(), 10, 0, 100, 60_000);
            WebhookAlerts alerts = WebhookAlerts.start(two, Set.of(), clock, () -> waiter, diagnostics::add);
            try {
                receiver.hold();
                alerts.accept(List.of(pause("p1"), pause("p2"), pause("p3")));
                assertEquals("p1", profileOf(receiver.next()), "the first webhook hangs on p1");
                assertEquals(List.of("p1", "p2", "p3"), List.of(profileOf(healthy.next()), profileOf(healthy.next()),
                        profileOf(healthy.next())), "the second gets all three meanwhile, in order");
                assertEquals(2, alerts.stats().waiting(), "p2 and p3 wait for the hanging one only");
                receiver.release();
                assertEquals("p2", profileOf(receiver.next()));
                assertEquals("p3", profileOf(receiver.next()));
            } finally {
                alerts.close();
            }
        }
    }

    private static io.smartrunner.event.EventRecord pause(String profileId) {
        return Events.profilePaused(T0, "podA", profileId, null, 2, T0.plusSeconds(60), "by hand", "api", 60_000, 1);
    }

    @Test
    void aFullQueueDropsTheOldestCountsAndReportsOncePerSpell() throws Exception {
        start(settings(2, 0), waiter);
        receiver.hold();
        sender.enqueue(alert("a"));
        assertEquals("a", profileOf(receiver.next()), "a is in flight, the queue is empty");

        for (String id : List.of("b", "c", "d", "e")) {
            sender.enqueue(alert(id));
        }

        assertEquals(new WebhookSender.Stats(0, 0, 0, 2, 2), sender.stats());
        assertEquals("alerts: queue full (2 waiting); dropping the oldest until the webhooks catch up",
                diagnostics.poll());
        assertEquals(List.of(), List.copyOf(diagnostics), "one line for the whole spell");
        receiver.release();
        assertEquals(List.of("d", "e"), List.of(profileOf(receiver.next()), profileOf(receiver.next())));
        assertEquals("alerts: 2 alert(s) dropped while the queue was full", diagnostics.poll(10, TimeUnit.SECONDS),
                "summed up once the queue has run empty");
    }

    @Test
    void closeDeliversWhatIsAlreadyQueued() throws Exception {
        start(settings(10, 0), waiter);
        sender.enqueue(alert("warm-up"));
        receiver.next();
        sender.enqueue(alert("a"));
        sender.enqueue(alert("b"));

        sender.close();

        assertEquals(3, receiver.delivered().size());
        assertEquals(new WebhookSender.Stats(3, 0, 0, 0, 0), sender.stats());
    }

    @Test
    void closeStopsPromptlyDuringABackoffAndSaysWhatFailed() throws Exception {
        receiver.answer(503, 503, 503, 503, 503);
        AlertSettings settings = new AlertSettings(settings(10, 20).webhooks(), EnumSet.allOf(Trigger.class),
                AlertSettings.FailureRate.defaults(), 10, 20, 600_000, 5000);
        start(settings, Waiter.real());
        sender.enqueue(alert("a"));
        sender.enqueue(alert("b"));
        receiver.next();

        sender.close();

        WebhookSender.Stats stats = sender.stats();
        assertEquals(0, stats.delivered());
        assertEquals(2, stats.givenUp(), "a after its retry wait was cut short, b after one attempt");
        assertTrue(diagnostics.stream().anyMatch(l -> l.contains("still failing at stop: ")), diagnostics.toString());
    }

    @Test
    void backoffDoublesFromTheBaseUpToTheCapAndHonoursRetryAfter() {
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L), List.of(WebhookSender.backoffMillis(1000, 0, 0),
                WebhookSender.backoffMillis(1000, 1, 0), WebhookSender.backoffMillis(1000, 2, 0),
                WebhookSender.backoffMillis(1000, 3, 0)));
        assertEquals(AlertSettings.MAX_BACKOFF_MS, WebhookSender.backoffMillis(1000, 19, 0));
        assertEquals(600_000L, WebhookSender.backoffMillis(600_000, 5, 0), "a base above the cap is the cap");
        assertEquals(30_000L, WebhookSender.backoffMillis(1000, 0, 30_000), "Retry-After: 30");
        assertEquals(AlertSettings.MAX_BACKOFF_MS, WebhookSender.backoffMillis(1000, 0, 9_000_000));
    }
}
