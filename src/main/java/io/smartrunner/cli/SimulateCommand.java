package io.smartrunner.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code simulate}: the spec's failure simulator, run by the runner as a session child. It fails
 * on demand so every detection path can be watched for real.
 */
@Command(name = "simulate", description = "A session child that fails on demand (the spec's simulate-failure.js).")
final class SimulateCommand implements Callable<Integer> {
    enum FailureType { exit, timeout, error, hang, ok }

    @Option(names = "--failureType", required = true, description = "exit | timeout | error | hang | ok")
    FailureType failureType;

    @Option(names = "--exitCode", defaultValue = "1", description = "code for --failureType exit (default 1)")
    int exitCode;

    @Option(names = "--duration", paramLabel = "MS",
            description = "ms to run before exiting, for timeout (default 5000) and ok (default 0)")
    Long durationMs;

    @Override
    public Integer call() throws InterruptedException {
        UsageError.requireIn("--exitCode", exitCode, 0, 255);
        UsageError.requireIn("--duration", durationMs, 0, Long.MAX_VALUE);
        String who = "profile=" + env("SR_PROFILE_ID") + " session=" + env("SR_SESSION_ID");
        System.out.println("simulate: " + failureType + " " + who);
        System.out.flush();
        switch (failureType) {
            case ok -> {
                waitFor(durationMs == null ? 0 : durationMs);
                System.out.println("simulate: done, exiting 0");
                return 0;
            }
            case exit -> {
                System.err.println("simulate: failing on purpose with exit code " + exitCode);
                return exitCode;
            }
            case timeout -> {
                long ms = durationMs == null ? 5000 : durationMs;
                waitFor(ms);
                System.err.println("simulate: ran for " + ms + " ms, exiting 124 (timed out)");
                return 124;
            }
            case error -> throw new SimulatedUncaughtError("simulated uncaught error in " + who);
            case hang -> {
                System.err.println("simulate: hanging forever, printing nothing");
                new CountDownLatch(1).await();
                return 1;
            }
            default -> throw new IllegalStateException(failureType.name());
        }
    }

    private static void waitFor(long ms) throws InterruptedException {
        if (ms > 0) {
            new CountDownLatch(1).await(ms, TimeUnit.MILLISECONDS);
        }
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "-" : v;
    }

    /** Escapes the CLI's error handling on purpose, so the JVM dies of it like any uncaught error. */
    static final class SimulatedUncaughtError extends Error {
        SimulatedUncaughtError(String message) {
            super(message);
        }
    }
}
