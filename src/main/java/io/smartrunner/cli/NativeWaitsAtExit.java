package io.smartrunner.cli;

import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.QuietLogWatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Ends the threads that wait in native code for good, just before the JVM exits: HotSpot's
 * {@code VM_Exit} waits up to 300 ms for any Java thread in a native call, so each one left made
 * every exit (a runner's stop, a control command, a demo session) 0.3 s longer. They are the
 * pidfd reaper's thread ({@code epoll_wait}), the quiet logs' watch thread ({@code poll}) and the selector thread of every JDK
 * {@code HttpClient} used (CDP, webhooks, AdsPower, {@code http} steps): JDK 17's client cannot be
 * closed ({@code close()} came in 21), but its selector loop ends when its thread is interrupted.
 * Only on the way out: none works afterwards (the watch: quiet logs are told at their next poll).
 */
final class NativeWaitsAtExit {
    /** The JDK names each client's selector thread so (jdk.internal.net.http.HttpClientImpl). */
    private static final Pattern HTTP_CLIENT_SELECTOR = Pattern.compile("HttpClient-\\d+-SelectorManager");

    private NativeWaitsAtExit() {
    }

    /** Ends them, waiting up to {@code waitMs} for each to leave its wait (it takes microseconds). */
    static void end(long waitMs) {
        try {
            PosixSpawnLauncher.endReaping(waitMs);
            QuietLogWatch.endSharedWaker(waitMs);
            interrupt(httpClientSelectors(), waitMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Interrupts each thread and waits up to {@code waitMs} for it to end. */
    static void interrupt(List<Thread> threads, long waitMs) throws InterruptedException {
        for (Thread t : threads) {
            t.interrupt();
            t.join(waitMs);
        }
    }

    static List<Thread> httpClientSelectors() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] all = new Thread[root.activeCount() + 16];
        int n = root.enumerate(all, true);
        List<Thread> found = new ArrayList<>();
        for (Thread t : Arrays.asList(all).subList(0, n)) {
            if (HTTP_CLIENT_SELECTOR.matcher(t.getName()).matches()) {
                found.add(t);
            }
        }
        return found;
    }
}
