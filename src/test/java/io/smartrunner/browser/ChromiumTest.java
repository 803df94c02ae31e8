package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.browser.cdp.CdpException;
import io.smartrunner.browser.cdp.PageControl;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import io.smartrunner.recovery.BrowserActions;
import io.smartrunner.recovery.StepContext;
import io.smartrunner.recovery.StepResult;
import io.smartrunner.testkit.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chromium provider, the browser steps and the browser check against a real headless Chromium. */
@Tag("browser")
class ChromiumTest {
    @TempDir
    Path dir;
    private DemoPages pages;
    private ChromiumProvider provider;
    private BrowserActions actions;
    private final String runnerId = "test-" + UUID.randomUUID();

    @BeforeEach
    void setUp() throws IOException {
        pages = new DemoPages();
        provider = newProvider();
        actions = new BrowserActions(provider, Duration.ofSeconds(15));
    }

    /** A provider on this test's data dir: a second one is what the next runner of the same data dir has. */
    private ChromiumProvider newProvider() {
        BrowserSettings d = BrowserSettings.defaults();
        BrowserSettings settings = new BrowserSettings(BrowserSettings.Provider.CHROMIUM, d.chromium(), d.adspower(),
                true, true, 30_000);
        return new ChromiumProvider(settings, dir.resolve("browsers"), dir.resolve("logs"),
                PosixSpawnLauncher.best(), new ProcFsProcessTable(), runnerId);
    }

    @AfterEach
    void tearDown() {
        provider.close();
        pages.close();
    }

    private ProfileConfig profile(String id, String verifyExpression) {
        return new ProfileConfig(id, "podA", pages.url("/home"), SessionSettings.defaults(), verifyExpression, null);
    }

    private StepResult step(String name, ProfileConfig p) throws Exception {
        return actions.step(name, new StepContext(p, "s-1", 1, "r")).result().get(30, TimeUnit.SECONDS);
    }

    private StepResult verify(ProfileConfig p) throws Exception {
        return actions.verify(new StepContext(p, "s-1", 1, "r")).result().get(30, TimeUnit.SECONDS);
    }

    private String navigate(ProfileConfig p, String path) {
        try (PageControl page = PageControl.open(provider.current(p.id()), Duration.ofSeconds(10))) {
            return page.navigate(pages.url(path));
        }
    }

    /** Live processes of this test's browsers, found by the runner id every one of them carries. */
    private List<Long> browserProcesses() throws IOException {
        String tag = "SR_RUNNER_ID=" + runnerId;
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.ISO_8859_1);
                    if (env.contains(tag) && !Files.readString(p.resolve("stat")).contains(") Z ")) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException vanished) {
                    // ended while we looked
                }
            }
        }
        return pids;
    }

    /** The distinct browser runs (SR_SESSION_ID) among this test's live browser processes. */
    private Set<String> browserRuns() throws IOException {
        Set<String> runs = new TreeSet<>();
        for (long pid : browserProcesses()) {
            try {
                String env = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")),
                        StandardCharsets.ISO_8859_1);
                Arrays.stream(env.split("\0")).filter(v -> v.startsWith("SR_SESSION_ID=")).forEach(runs::add);
            } catch (IOException vanished) {
                // ended while we looked
            }
        }
        return runs;
    }

    private static boolean stoppedOrGone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'T' || state == 't' || state == 'Z';
        } catch (IOException gone) {
            return true;
        }
    }

    private static boolean alive(long pid) {
        try {
            return !Files.readString(Path.of("/proc/" + pid + "/stat")).contains(") Z ");
        } catch (IOException gone) {
            return false;
        }
    }

    /** A recovery step that adopted the browser a previous runner left did it without a word. */
    @Test
    void aBrowserARecoveryStepAdoptsIsToldAsAStart() throws Exception {
        ProfileConfig p = profile("p1", "document.title === 'A'");
        BrowserEndpoint left = provider.open(p);
        ChromiumProvider next = newProvider();
        List<BrowserEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        next.listen(events::add);
        try {
            assertEquals(left, next.current(p), "the step acts on the browser left running");
            assertEquals(1, events.size(), events.toString());
            BrowserEvent start = events.get(0);
            assertEquals(BrowserEvent.Kind.START, start.kind());
            assertEquals("podA", start.pod());
            assertEquals("adopted from the previous runner", start.params().get("reason"));
            assertEquals(true, start.params().get("adopted"));
            assertEquals(left, next.current(p));
            assertEquals(1, events.size(), "adopted once");
        } finally {
            next.forceStop(p);
            next.close();
        }
    }

    @Test
    void theNextProviderOfTheSameDataDirAdoptsTheBrowserLeftRunning() throws Exception {
        ProfileConfig p = profile("p1", "document.title === 'A'");
        BrowserEndpoint left = provider.open(p);
        navigate(p, "/a");
        Set<String> runs = browserRuns();
        assertEquals(1, runs.size(), runs.toString());

        ChromiumProvider next = newProvider();
        try {
            assertEquals(left, next.open(p), "the browser left running serves the profile");
            assertEquals(runs, browserRuns(), "and no second Chromium was started");
            StepResult verified = new BrowserActions(next, Duration.ofSeconds(15))
                    .verify(new StepContext(p, "s-1", 1, "r")).result().get(30, TimeUnit.SECONDS);
            assertTrue(verified.ok(), "its page is where the previous runner left it: " + verified.detail());
            next.forceStop(p);
            assertEquals(List.of(), browserProcesses(), "the adopted tree stops like one of ours");
        } finally {
            next.close();
        }
    }

    @Test
    void aBrowserLeftRunningThatNoLongerAnswersIsStoppedAndAFreshOneStarts() throws Exception {
        ProfileConfig p = profile("p1", null);
        BrowserEndpoint left = provider.open(p);
        Set<String> frozenRun = browserRuns();
        List<Long> frozen = browserProcesses();
        for (long pid : frozen) {
            new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
        }

        ChromiumProvider next = newProvider();
        List<BrowserEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        next.listen(events::add);
        try {
            BrowserEndpoint fresh = next.open(p);
            assertFalse(left.equals(fresh), "a new browser, a new DevTools port");
            // the frozen one's stop is told (it was stopped without an event), then the fresh one's start
            assertEquals(List.of(BrowserEvent.Kind.CLOSE, BrowserEvent.Kind.START),
                    events.stream().map(BrowserEvent::kind).toList(), events.toString());
            assertEquals(BrowserNews.LEFT_NOT_ADOPTED, events.get(0).params().get("reason"));
            assertEquals(true, events.get(0).params().get("forced"));
            assertTrue(frozen.contains(((Number) events.get(0).params().get("pid")).longValue()),
                    "one of the frozen browser's pids: " + events.get(0).params() + " " + frozen);
            for (long pid : frozen) {
                assertFalse(alive(pid), "process " + pid + " of the browser that did not answer is gone");
            }
            Set<String> runs = browserRuns();
            assertEquals(1, runs.size(), runs.toString());
            assertFalse(runs.equals(frozenRun));
        } finally {
            next.close();
        }
        assertEquals(List.of(), browserProcesses());
    }

    @Test
    void opensAHeadlessBrowserOnLoopbackWithItsHomepageAndReusesIt() throws Exception {
        ProfileConfig p = profile("p1", null);
        BrowserEndpoint endpoint = provider.open(p);
        assertTrue(endpoint.httpBase().startsWith("http://127.0.0.1:"));
        assertTrue(endpoint.browserWebSocket().startsWith("ws://127.0.0.1:"));
        assertEquals(endpoint, provider.open(p), "an open browser that answers is reused");
        assertTrue(Files.isDirectory(dir.resolve("browsers/p1")), "its own user-data-dir");
        assertTrue(verify(p).ok(), verify(p).detail());
        assertFalse(browserProcesses().isEmpty());
    }

    @Test
    void gracefulCloseAndForceStopLeaveNoProcessBehind() throws Exception {
        ProfileConfig p = profile("p1", null);
        provider.open(p);
        provider.close(p);
        assertEquals(List.of(), browserProcesses(), "graceful close");
        provider.open(p);
        provider.forceStop(p);
        assertEquals(List.of(), browserProcesses(), "force stop");
        assertFalse(Files.exists(dir.resolve("browsers/p1/SingletonLock")), "no stale lock");
        assertNotNull(provider.open(p), "and it opens again");
    }

    @Test
    void aStoppedBrowserIsNotAskedToCloseAndTheForceStopAfterItLeavesNothing() throws Exception {
        ProfileConfig p = profile("p1", null);
        provider.open(p);
        List<Long> stopped = browserProcesses();
        for (long pid : stopped) {
            new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
        }
        // a signal is acted on when its target next runs: on busy cores, a moment after kill returns
        Await.until("the browser's processes stopped", Duration.ofSeconds(10),
                () -> stopped.stream().allMatch(ChromiumTest::stoppedOrGone));
        // asked, a stopped browser would hold the close for the whole CDP timeout, then fail with a timeout
        CdpException e = assertThrows(CdpException.class, () -> provider.close(p));
        assertTrue(e.getMessage().contains("is stopped (SIGSTOP)"), e.getMessage());
        provider.forceStop(p);
        assertEquals(List.of(), browserProcesses(), "force stop of a stopped browser");
    }

    @Test
    void goToHomepageHealsAPageLeftElsewhere() throws Exception {
        ProfileConfig p = profile("p1", "document.title === 'Home'");
        provider.open(p);
        navigate(p, "/broken");
        assertFalse(verify(p).ok(), "verifyExpression is falsy on /broken");
        StepResult r = step("goToHomepage", p);
        assertTrue(r.ok(), r.detail());
        assertTrue(verify(p).ok());
    }

    /**
     * Reviewer R15: an episode a runner's start resumed, before any session opened the profile's
     * browser, ran goToHomepage, browserBack and refreshPage against no browser (each failed "not
     * open"). The step opens it first, with a browser-start that names the step, then acts.
     */
    @Test
    void aPageStepWithNoBrowserOpenOpensOneSaysSoAndActs() throws Exception {
        ProfileConfig p = profile("p1", "document.title === 'Home'");
        List<BrowserEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        provider.listen(events::add);
        assertEquals(null, provider.current(p), "no browser yet");

        StepResult r = step("goToHomepage", p);

        assertTrue(r.ok(), r.detail());
        assertTrue(verify(p).ok(), "the homepage is open");
        assertEquals(List.of(BrowserEvent.Kind.START), events.stream().map(BrowserEvent::kind).toList(), events.toString());
        assertEquals("recovery step goToHomepage: the profile's browser was not open",
                events.get(0).params().get("reason"));
        StepResult again = step("refreshPage", p);
        assertTrue(again.ok(), again.detail());
        assertEquals(1, events.size(), "the open browser is used as it is");
    }

    /**
     * Reviewer R17: Chromium killed mid-ladder; its crash was told, yet the next page steps and
     * reopenProfile called the dead browser's DevTools port ("connection refused") until
     * restartProfile. A page step now opens a fresh browser (a replace, saying it had exited), and
     * reopenProfile of a crashed one closes nothing and opens a fresh one.
     */
    @Test
    void afterTheBrowserCrashedAPageStepAndReopenProfileOpenAFreshOne() throws Exception {
        ProfileConfig p = profile("p1", "document.title === 'Home'");
        List<BrowserEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        provider.listen(events::add);
        provider.open(p);
        crash(p, events);

        StepResult home = step("goToHomepage", p);

        assertTrue(home.ok(), home.detail());
        assertTrue(verify(p).ok());
        assertEquals(BrowserEvent.Kind.REPLACE, events.get(events.size() - 1).kind(), events.toString());

        crash(p, events);
        StepResult reopen = step("reopenProfile", p);
        assertTrue(reopen.ok(), reopen.detail());
        assertTrue(verify(p).ok(), "a fresh browser on the homepage");
    }

    /** kill -9 of the profile's browser's main process; returns once its crash is told. */
    private void crash(ProfileConfig p, List<BrowserEvent> events) throws Exception {
        long pid = provider.status(p.id()).pid();
        int crashes = (int) events.stream().filter(e -> e.kind() == BrowserEvent.Kind.CRASH).count();
        new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
        io.smartrunner.testkit.Await.until("the crash is told", Duration.ofSeconds(30),
                () -> events.stream().filter(e -> e.kind() == BrowserEvent.Kind.CRASH).count() > crashes);
    }

    @Test
    void browserBackGoesToThePreviousEntryAndFailsWithoutOne() throws Exception {
        ProfileConfig p = profile("p1", "document.title === 'A'");
        provider.open(p);
        navigate(p, "/a");
        navigate(p, "/b");
        StepResult back = step("browserBack", p);
        assertTrue(back.ok(), back.detail());
        assertTrue(verify(p).ok(), "back on /a");

        ProfileConfig fresh = profile("p2", null);
        provider.open(fresh);
        try (PageControl page = PageControl.open(provider.current("p2"), Duration.ofSeconds(10))) {
            page.call("Page.resetNavigationHistory", Map.of());
        }
        StepResult none = step("browserBack", fresh);
        assertFalse(none.ok());
        assertTrue(none.detail().contains("no previous history entry"), none.detail());
    }

    @Test
    void refreshReloadsAndReopenAndRestartGiveAWorkingBrowser() throws Exception {
        ProfileConfig p = profile("p1", null);
        provider.open(p);
        assertTrue(step("refreshPage", p).ok());
        BrowserEndpoint before = provider.current("p1");
        StepResult reopened = step("reopenProfile", p);
        assertTrue(reopened.ok(), reopened.detail());
        assertTrue(verify(p).ok());
        assertTrue(step("restartProfile", p).ok());
        assertTrue(verify(p).ok());
        assertFalse(before.equals(provider.current("p1")), "a new browser, a new DevTools port");
    }

    @Test
    void errorPageAndThrowingExpressionAreUnhealthy() throws Exception {
        ProfileConfig p = profile("p1", "document.querySelector('#nope').textContent");
        provider.open(p);
        StepResult throwing = verify(p);
        assertFalse(throwing.ok());
        assertTrue(throwing.detail().contains("verifyExpression threw"), throwing.detail());

        ProfileConfig plain = profile("p2", null);
        provider.open(plain);
        try (PageControl page = PageControl.open(provider.current("p2"), Duration.ofSeconds(10))) {
            assertThrows(CdpException.class, () -> page.navigate("http://127.0.0.1:9/unreachable"));
        }
        StepResult error = verify(plain);
        assertFalse(error.ok());
        assertTrue(error.detail().contains("error page"), error.detail());
    }
}
