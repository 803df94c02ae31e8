package io.smartrunner.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo-session}: the demo fleet's worker. It does one unit of pretend work, printing as it
 * goes, and fails now and then (rate from {@code DEMO_FAILURE_RATE}, default 0.2) the ways real
 * workers fail, so the demo shows detection, streaks and pauses.
 */
@Command(name = "demo-session", description = "The demo fleet's worker: a short unit of work that sometimes fails.")
final class DemoSessionCommand implements Callable<Integer> {
    @Option(names = "--work-ms", defaultValue = "2000", description = "how long the unit of work takes (default 2000)")
    long workMs;

    @Override
    public Integer call() throws InterruptedException {
        String profile = System.getenv().getOrDefault("SR_PROFILE_ID", "demo");
        double failureRate = parseRate(System.getenv("DEMO_FAILURE_RATE"));
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int steps = 4;
        for (int i = 1; i <= steps; i++) {
            System.out.println("demo-session " + profile + ": step " + i + "/" + steps + " of "
                    + System.getenv().getOrDefault("SR_HOMEPAGE", "(no homepage)"));
            System.out.flush();
            new CountDownLatch(1).await(workMs / steps, TimeUnit.MILLISECONDS);
        }
        if (random.nextDouble() < failureRate) {
            if (random.nextBoolean()) {
                System.err.println("demo-session " + profile + ": the page did not show what was expected");
                return 2;
            }
            throw new SimulateCommand.SimulatedUncaughtError("demo-session " + profile + ": unexpected page state");
        }
        System.out.println("demo-session " + profile + ": done");
        return 0;
    }

    private static double parseRate(String value) {
        try {
            return value == null ? 0.2 : Math.min(1, Math.max(0, Double.parseDouble(value)));
        } catch (NumberFormatException e) {
            return 0.2;
        }
    }
}
