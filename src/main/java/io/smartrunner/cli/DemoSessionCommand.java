package io.smartrunner.cli;

import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.browser.cdp.PageControl;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo-session}: the demo fleet's worker. It does one unit of pretend work, printing as it
 * goes, and fails now and then (rate from {@code DEMO_FAILURE_RATE}, default 0.2). With a browser
 * ({@code SR_CDP_URL}) it drives the profile's page over CDP, and its failures leave the browser
 * in states the recovery ladder repairs: on a broken page (goToHomepage) or with its tab closed
 * (reopenProfile). Without one it fails the ways plain workers do.
 */
@Command(name = "demo-session", description = "The demo fleet's worker: a short unit of work that sometimes fails.")
final class DemoSessionCommand implements Callable<Integer> {
    @Option(names = "--work-ms", defaultValue = "2000", description = "how long the unit of work takes (default 2000)")
    long workMs;

    /** How the worker fails, each aimed at the first ladder step that can repair it. */
    enum Failure { random, none, broken, deadend, stuck, tab, frozen }

    @Option(names = "--fail", defaultValue = "random",
            description = "random (DEMO_FAILURE_RATE) | none | broken | deadend | stuck | tab | frozen (with a browser)")
    Failure failure;

    @Override
    public Integer call() throws InterruptedException {
        UsageError.requireIn("--work-ms", workMs, 0, Long.MAX_VALUE);
        String profile = System.getenv().getOrDefault("SR_PROFILE_ID", "demo");
        double failureRate = parseRate(System.getenv("DEMO_FAILURE_RATE"));
        String cdp = System.getenv("SR_CDP_URL");
        String home = System.getenv("SR_HOMEPAGE");
        Failure mode = failure;
        if (mode == Failure.random) {
            Failure[] browserModes = {Failure.broken, Failure.deadend, Failure.stuck, Failure.tab, Failure.frozen};
            mode = ThreadLocalRandom.current().nextDouble() >= failureRate ? Failure.none
                    : browserModes[ThreadLocalRandom.current().nextInt(browserModes.length)];
        }
        boolean fail = mode != Failure.none;
        if (cdp != null && !cdp.isEmpty() && home != null && !home.isEmpty()) {
            return withBrowser(profile, BrowserEndpoint.fromWebSocket(cdp), home, mode);
        }
        work(profile, home == null || home.isEmpty() ? "(no homepage)" : home);
        if (fail) {
            if (ThreadLocalRandom.current().nextBoolean()) {
                System.err.println("demo-session " + profile + ": the page did not show what was expected");
                return 2;
            }
            throw new SimulateCommand.SimulatedUncaughtError("demo-session " + profile + ": unexpected page state");
        }
        System.out.println("demo-session " + profile + ": done");
        return 0;
    }

    private int withBrowser(String profile, BrowserEndpoint browser, String home, Failure mode)
            throws InterruptedException {
        String say = "demo-session " + profile + ": ";
        try (PageControl page = PageControl.open(browser, Duration.ofSeconds(30))) {
            System.out.println(say + page.navigate(home));
            String task = URI.create(home).resolve("task.html").toString();
            System.out.println(say + page.navigate(task));
            work(profile, task);
            switch (mode) {
                case none -> {
                    System.out.println(say + "done on " + page.url());
                    return 0;
                }
                case broken -> {
                    page.navigate(URI.create(home).resolve("broken.html").toString());
                    System.err.println(say + "left the browser on a broken page (goToHomepage repairs it)");
                    return 2;
                }
                case deadend -> {
                    homeDown(home, profile);
                    System.err.println(say + "stuck on the task page while home is down (browserBack repairs it)");
                    return 2;
                }
                case stuck -> {
                    page.evaluate("window.broken = true");
                    homeDown(home, profile);
                    System.err.println(say + "the task page's state is broken and home is down (refreshPage repairs it)");
                    return 2;
                }
                case tab -> {
                    page.closeTab();
                    System.err.println(say + "the tab crashed (reopenProfile repairs it)");
                    return 3;
                }
                default -> {
                    int frozen = DemoBrowserFreezer.freeze(profile);
                    System.err.println(say + "froze its browser's " + frozen + " processes (restartProfile repairs it)");
                    return 4;
                }
            }
        }
    }

    /** Asks the demo site to answer the profile's next home page load with 503. */
    private static void homeDown(String home, String profile) {
        try {
            java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            URI.create(home).resolve("maintenance?profile=" + profile))
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
        } catch (java.io.IOException e) {
            System.err.println("demo-session: could not reach the demo site: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void work(String profile, String where) throws InterruptedException {
        int steps = 4;
        for (int i = 1; i <= steps; i++) {
            System.out.println("demo-session " + profile + ": step " + i + "/" + steps + " on " + where);
            System.out.flush();
            new CountDownLatch(1).await(workMs / steps, TimeUnit.MILLISECONDS);
        }
    }

    private static double parseRate(String value) {
        try {
            return value == null ? 0.2 : Math.min(1, Math.max(0, Double.parseDouble(value)));
        } catch (NumberFormatException e) {
            return 0.2;
        }
    }
}
