package io.smartrunner.browser;

import io.smartrunner.event.EventParams;
import io.smartrunner.event.Params;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.browser.BrowserEvent.Kind;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.event.EventRecord;
import io.smartrunner.process.ExitStatus;
import io.smartrunner.time.ManualTimeSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the providers' browser events say, with a manual clock: ages, sessions served, wire names. */
class BrowserNewsTest {
    private static final Instant T0 = Instant.parse("2026-01-08T10:30:00Z");
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final BrowserNews news = new BrowserNews(time);
    private final List<BrowserEvent> told = new ArrayList<>();
    private final ProfileConfig p1 = new ProfileConfig("p1", "podA", null, SessionSettings.defaults(), null, null);

    @Test
    void nothingIsToldBeforeAListenerIsGiven() {
        news.started(p1, BrowserCause.session("s-1"), "session needs it", news.born(10L), time.nanoTime());
        news.listen(told::add);
        news.started(p1, BrowserCause.session("s-2"), "session needs it", news.born(11L), time.nanoTime());
        assertEquals(1, told.size());
        assertEquals("s-2", told.get(0).sessionId());
    }

    @Test
    void aCrashSaysHowOldTheBrowserWasAndHowManySessionsItServed() {
        news.listen(told::add);
        long t0 = time.nanoTime();
        time.advanceMillis(2300);
        BrowserLife life = news.born(4242L);
        news.started(p1, BrowserCause.session("s-1"), "session needs it", life, t0);
        life.served();
        life.served();
        time.advanceMillis(90_000);
        news.ended(Kind.CRASH, p1, null, BrowserNews.exited(new ExitStatus(139, "SIGSEGV", null)), life,
                Params.builder().put(EventParams.EXIT_CODE, 139).put(EventParams.SIGNAL, "SIGSEGV").build());

        EventRecord start = told.get(0).toRecord(T0);
        assertEquals(List.of("browser-start", "browser", "ok", 2300L), List.of(start.event(), start.type(),
                start.outcome(), start.durMs()));
        EventRecord crash = told.get(1).toRecord(T0);
        assertEquals(List.of("browser-crash", "error"), List.of(crash.event(), crash.outcome()));
        assertEquals(Map.of("reason", "exited with signal SIGSEGV", "pid", 4242L, "ageMs", 90_000L, "sessions", 2,
                "exitCode", 139, "signal", "SIGSEGV"), crash.params());
        assertEquals(List.of("reason", "pid", "ageMs", "sessions", "exitCode", "signal"),
                List.copyOf(crash.params().keySet()), "reason first");
    }

    @Test
    void aRecycleNamesTheNewPidTheOldOneAndWhatWasSwept() {
        news.listen(told::add);
        BrowserLife old = news.born(100L);
        old.served();
        time.advanceMillis(7_200_000);
        long t0 = time.nanoTime();
        time.advanceMillis(1500);
        BrowserLife fresh = news.born(200L);
        news.replaced(Kind.RECYCLE, p1, BrowserCause.of("s-9", "recycle after 7200000 ms (age 7200000 ms)"),
                "recycle after 7200000 ms (age 7200000 ms)", old, fresh, t0, 2);

        EventRecord e = told.get(0).toRecord(T0);
        assertEquals(List.of("browser-recycle", "s-9", "podA", "p1", 1500L),
                List.of(e.event(), e.sessionId(), e.pod(), e.profileId(), e.durMs()));
        assertEquals(Map.of("reason", "recycle after 7200000 ms (age 7200000 ms)", "pid", 200L, "oldPid", 100L,
                "ageMs", 7_200_000L, "sessions", 1, "swept", 2), e.params());
    }

    @Test
    void anExitByCodeSaysTheCode() {
        assertEquals("exited with code 1", BrowserNews.exited(ExitStatus.exited(1)));
    }
}
