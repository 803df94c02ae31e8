package io.smartrunner.http;

import io.smartrunner.DaemonThreads;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;

/**
 * Closes a connection whose request (headers, then body) has not fully arrived within the
 * request timeout of its first byte. The idle timeout alone would let a client that trickles one
 * byte just under it hold a connection for hours. Once a request is read it is not bounded: an
 * event stream ({@code /api/events/stream}) lives as long as its client, and its keep-alives keep
 * it from being idle.
 */
final class RequestTimeouts extends AbstractLifeCycle implements Connection.Listener {
    private static final long SCAN_MS = 500;
    private final long timeoutNanos;
    private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
    /** A scan is scheduled: only while a connection is open (an idle runner's thread never wakes). */
    private final java.util.concurrent.atomic.AtomicBoolean scanning = new java.util.concurrent.atomic.AtomicBoolean();
    private ScheduledExecutorService scanner;

    private final java.util.function.Supplier<ScheduledExecutorService> scanners;

    RequestTimeouts(long timeoutMs) {
        this(timeoutMs, () -> Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("sr-http-timeouts")));
    }

    RequestTimeouts(long timeoutMs, java.util.function.Supplier<ScheduledExecutorService> scanners) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        this.scanners = scanners;
    }

    @Override
    protected void doStart() {
        scanner = scanners.get();
    }

    @Override
    protected void doStop() {
        scanner.shutdownNow();
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            open.add(http);
            scanSoon();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    /** @return whether a scan is scheduled */
    boolean scanSoon() {
        if (scanning.compareAndSet(false, true)) {
            try {
                scanner.schedule(this::scan, SCAN_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                scanning.set(false); // the server is stopping: its connections are being closed
            } catch (OutOfMemoryError noThread) {
                // the scanner's thread could not be started (a process limit): the next connection
                // tries again. Left set, the flag kept every later scan from being scheduled, and
                // the slow-client guard was gone for good once the limit had passed.
                scanning.set(false);
            }
        }
        return scanning.get();
    }

    private void scan() {
        closeOverdue();
        scanning.set(false);
        if (!open.isEmpty()) {
            scanSoon(); // also when one opened while this scan ran: it found the flag still set
        }
    }

    /**
     * Reads the parser's state from this thread without its lock: at worst a stale read delays a
     * close by one scan. The clock is the parser's own (System.nanoTime), not the runner's TimeSource.
     */
    private void closeOverdue() {
        long now = System.nanoTime();
        for (HttpConnection http : open) {
            HttpParser parser = http.getParser();
            boolean reading = parser.inHeaderState() || parser.inContentState();
            if (reading && !parser.isStart() && now - parser.getBeginNanoTime() > timeoutNanos) {
                http.getEndPoint().close();
                open.remove(http);
            }
        }
    }
}
