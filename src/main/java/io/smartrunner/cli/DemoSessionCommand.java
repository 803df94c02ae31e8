package io.smartrunner.cli;

import io.smartrunner.browser.BrowserEndpoint;
import io.smartrunner.browser.PageControl;
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

    @Override
    public Integer call() throws InterruptedException {
        String profile = System.getenv().getOrDefault("SR_PROFILE_ID", "demo");
        double failureRate = parseRate(System.getenv("DEMO_FAILURE_RATE"));
        String cdp = System.getenv("SR_CDP_URL");
        String home = System.getenv("SR_HOMEPAGE");
        boolean fail = ThreadLocalRandom.current().nextDouble() < failureRate;
        if (cdp != null && !cdp.isEmpty() && home != null && !home.isEmpty()) {
            return withBrowser(profile, BrowserEndpoint.fromWebSocket(cdp), home, fail);
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

    private int withBrowser(String profile, BrowserEndpoint browser, String home, boolean fail)
            throws InterruptedException {
        try (PageControl page = PageControl.open(browser, Duration.ofSeconds(30))) {
            System.out.println("demo-session " + profile + ": " + page.navigate(home));
            String task = URI.create(home).resolve("task.html").toString();
            System.out.println("demo-session " + profile + ": " + page.navigate(task));
            work(profile, task);
            if (fail) {
                if (ThreadLocalRandom.current().nextInt(3) == 0) {
                    page.closeTab();
                    System.err.println("demo-session " + profile + ": the tab crashed (closed it on purpose)");
                    return 3;
                }
                page.navigate(URI.create(home).resolve("broken.html").toString());
                System.err.println("demo-session " + profile + ": left the browser on a broken page");
                return 2;
            }
            System.out.println("demo-session " + profile + ": done on " + page.url());
            return 0;
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
