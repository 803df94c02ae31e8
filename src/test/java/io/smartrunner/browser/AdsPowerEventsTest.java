package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.testkit.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adspower provider's browser events, against the fake AdsPower with real Chromiums: AdsPower
 * tells no one when its browser dies, so the crash is noticed at the next status check (the next
 * open) and reported, followed by the replacement; a recycle and a close are reported too.
 */
@Tag("browser")
class AdsPowerEventsTest {
    @TempDir
    Path dir;
    private final String runnerTag = "ads-events-" + UUID.randomUUID();
    private final List<BrowserEvent> events = new CopyOnWriteArrayList<>();
    private FakeAdsPower ads;
    private AdsPowerProvider provider;

    @AfterEach
    void tearDown() {
        if (provider != null) {
            provider.close();
        }
        if (ads != null) {
            ads.close();
        }
    }

    private ProfileConfig start() throws IOException {
        ads = new FakeAdsPower(dir.resolve("ads"), runnerTag, Duration.ZERO, null, Set.of("u1"));
        BrowserSettings d = BrowserSettings.defaults();
        provider = new AdsPowerProvider(new BrowserSettings(BrowserSettings.Provider.ADSPOWER, d.chromium(),
                new BrowserSettings.AdsPower(ads.baseUrl(), null, 20, 3, 30_000), true, true, 30_000));
        provider.listen(events::add);
        return new ProfileConfig("p1", "podA", null, SessionSettings.defaults(), null, "u1");
    }

    private List<String> kinds() {
        return events.stream().map(e -> e.kind() + ":" + e.params().get("reason")).toList();
    }

    @Test
    void aBrowserThatDiedBehindAdsPowersBackIsACrashAtTheNextOpenThenReplaced() throws Exception {
        ProfileConfig p = start();
        provider.open(p, BrowserCause.session("s-1"));
        provider.open(p, BrowserCause.session("s-2"));
        List<Long> killed = processesOf("u1");
        assertFalse(killed.isEmpty());
        killed.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        Await.until("AdsPower sees its browser gone", Duration.ofSeconds(30), () -> !activeInAdsPower("u1"));

        provider.open(p, BrowserCause.session("s-3"));

        assertEquals(List.of("START:session needs it", "CRASH:AdsPower reports it closed",
                "REPLACE:AdsPower reports it closed"), kinds());
        BrowserEvent crash = events.get(1);
        assertNull(crash.sessionId());
        assertEquals(2, crash.params().get("sessions"));
        BrowserEvent replaced = events.get(2);
        assertEquals(List.of("s-3", "podA", "p1"), List.of(replaced.sessionId(), replaced.pod(), replaced.profileId()));
        assertEquals(2, replaced.params().get("sessions"), "the old browser's sessions");
        assertEquals(1, provider.use("p1", false).sessions(), "the new one has served s-3");
    }

    @Test
    void aRecycleAndACloseAreReported() throws Exception {
        ProfileConfig p = start();
        provider.open(p, BrowserCause.session("s-1"));
        provider.recycle(p, BrowserCause.of("s-2", "recycle after 1 sessions"));
        provider.open(p, BrowserCause.session("s-2"));
        provider.close(p, BrowserCause.of(null, "closeOnPause"));

        assertEquals(List.of("START:session needs it", "RECYCLE:recycle after 1 sessions", "CLOSE:closeOnPause"),
                kinds());
        assertEquals(2, ads.launches());
        assertEquals(List.of(), processesOf("u1"));
        assertEquals(1, events.get(2).params().get("sessions"));
    }

    /** A browser that died unasked is told as a crash when it is closed, not as a close that stopped it. */
    @Test
    void aBrowserThatDiedIsACrashWhenItIsClosedNotAClose() throws Exception {
        ProfileConfig p = start();
        provider.open(p, BrowserCause.session("s-1"));
        processesOf("u1").forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        Await.until("AdsPower sees its browser gone", Duration.ofSeconds(30), () -> !activeInAdsPower("u1"));

        provider.close(p, BrowserCause.of(null, "recovery step reopenProfile"));

        assertEquals(List.of("START:session needs it", "CRASH:AdsPower reports it closed"), kinds());
        assertNull(provider.current("p1"));
    }

    /**
     * A browser AdsPower would not stop (unreachable, busy) stays held: nothing is told yet, and
     * its end is told when a later call does stop it. Before, a forced stop forgot it first, and
     * its end was never told.
     */
    @Test
    void aBrowserAdsPowerCouldNotStopStaysHeldAndItsEndIsToldWhenItIsStopped() throws Exception {
        ProfileConfig p = start();
        provider.open(p, BrowserCause.session("s-1"));
        ads.refuseStop("u1");

        assertThrows(AdsPowerException.class, () -> provider.forceStop(p, BrowserCause.of(null, "closeOnPause")));
        assertNotNull(provider.current("p1"), "still held: it still runs");
        assertEquals(List.of("START:session needs it"), kinds());

        ads.allowStop("u1");
        provider.close(p, BrowserCause.of(null, "closeOnPause"));
        assertEquals(List.of("START:session needs it", "CLOSE:closeOnPause"), kinds());
        assertEquals(1, events.get(1).params().get("sessions"), "the browser's own life, kept while held");
        assertEquals(List.of(), processesOf("u1"));
    }

    private boolean activeInAdsPower(String user) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(ads.baseUrl()
                    + AdsPowerApi.ACTIVE + "?user_id=" + user)).build(), HttpResponse.BodyHandlers.ofString())
                    .body().contains("\"Active\"");
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Live processes of the user's browsers, by the tag the fake launches them with. */
    private List<Long> processesOf(String user) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.ISO_8859_1);
                    if (env.contains("SR_RUNNER_ID=" + runnerTag) && env.contains("SR_SESSION_ID=ads-" + user + "-")
                            && !Files.readString(p.resolve("stat")).contains(") Z ")) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException vanished) {
                    // ended while we looked
                }
            }
        }
        return pids;
    }
}
