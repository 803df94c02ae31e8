package io.smartrunner.systemd;

import io.smartrunner.DaemonThreads;
import io.smartrunner.health.RunnerHealth;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The systemd notify protocol (sd_notify) when the runner runs as a {@code Type=notify} unit:
 * {@code READY=1} once start-up is done (state loaded, crash reconciled, HTTP listening: this is
 * started after the server listens), {@code WATCHDOG=1} every {@code WATCHDOG_USEC}/2 but only
 * while the engine loop keeps turning (a frozen loop stops the pings, so systemd restarts the
 * runner), and {@code STOPPING=1} on stop. Without {@code NOTIFY_SOCKET} it does nothing.
 */
public final class SystemdNotifier implements AutoCloseable {
    private static final long TICK_MS = 100;
    /** The loop wakes at least every 5 s: a shorter WatchdogSec would take a quiet loop for a frozen one. */
    private static final long MIN_LOOP_SILENCE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Cluster mode wakes the loop every second ({@link #loopWokenEverySecond}): 2 s without a turn is a stuck loop. */
    private static final long WOKEN_LOOP_SILENCE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final String socketName;
    private final long watchdogNanos;
    private final RunnerHealth health;
    private final LongSupplier nanoTime;
    private final Consumer<String> say;
    private final UnixDatagram socket;
    private Thread ticker;
    private volatile boolean loopWokenEverySecond;
    private volatile boolean closed;

    private SystemdNotifier(String socketName, long watchdogNanos, RunnerHealth health, LongSupplier nanoTime,
                            Consumer<String> say) {
        this.socketName = socketName;
        this.watchdogNanos = watchdogNanos;
        this.health = health;
        this.nanoTime = nanoTime;
        this.say = say;
        this.socket = socketName == null ? null : UnixDatagram.open();
    }

    /**
     * @param env the runner's environment: {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC}, {@code WATCHDOG_PID}
     * @param say one line to the operator (a malformed variable)
     */
    public static SystemdNotifier fromEnvironment(Map<String, String> env, RunnerHealth health, LongSupplier nanoTime,
                                                  Consumer<String> say) {
        String socket = notifySocket(env, say);
        return new SystemdNotifier(socket, socket == null ? 0 : watchdogNanos(env, say), health, nanoTime, say);
    }

    /** {@code NOTIFY_SOCKET}'s name, or null when unset or malformed (said). */
    static String notifySocket(Map<String, String> env, Consumer<String> say) {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return null;
        }
        if (!socket.startsWith("/") && !socket.startsWith("@")) {
            say.accept("NOTIFY_SOCKET: \"" + socket + "\" is neither a path nor an abstract name (@...); not notifying systemd");
            return null;
        }
        return socket;
    }

    /** 0 = no watchdog: unset, malformed, or meant for another process (WATCHDOG_PID). */
    static long watchdogNanos(Map<String, String> env, Consumer<String> say) {
        String usec = env.get("WATCHDOG_USEC");
        String pid = env.get("WATCHDOG_PID");
        if (usec == null || (pid != null && !pid.equals(String.valueOf(ProcessHandle.current().pid())))) {
            return 0;
        }
        try {
            long value = Long.parseLong(usec.strip());
            if (value > 0) {
                return TimeUnit.MICROSECONDS.toNanos(value);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        say.accept("WATCHDOG_USEC: \"" + usec + "\" is not a positive number of microseconds; no watchdog pings");
        return 0;
    }

    /**
     * Cluster mode: the loop is woken every second, so the pings stop 2 s after its last turn
     * (not after max(WatchdogSec, 10 s)) and a WatchdogSec below the lease renew deadline means what
     * it says (docs/cluster-fencing.md). Call before {@link #start}.
     */
    public SystemdNotifier loopWokenEverySecond(boolean woken) {
        loopWokenEverySecond = woken;
        return this;
    }

    /** Starts telling systemd; call once the HTTP server listens. */
    public SystemdNotifier start() {
        if (socket == null) {
            return this;
        }
        ticker = DaemonThreads.daemon(this::tick, "sr-systemd-notify");
        ticker.start();
        return this;
    }

    /** The runner is stopping (SIGTERM, SIGINT): systemd shows "deactivating". */
    public void stopping() {
        send("STOPPING=1\nSTATUS=stopping");
    }

    private void tick() {
        boolean ready = false;
        long period = watchdogNanos / 2;
        long nextPing = nanoTime.getAsLong();
        long silence = loopWokenEverySecond ? WOKEN_LOOP_SILENCE_NANOS
                : Math.max(watchdogNanos, MIN_LOOP_SILENCE_NANOS);
        while (!closed) {
            if (!ready && health.started()) {
                send("READY=1\nSTATUS=running\nMAINPID=" + ProcessHandle.current().pid());
                ready = true;
            }
            long now = nanoTime.getAsLong();
            if (watchdogNanos > 0 && now - nextPing >= 0) {
                if (health.loopTurnedWithin(silence)) {
                    send("WATCHDOG=1");
                }
                nextPing = now + period;
            }
            try {
                Thread.sleep(TICK_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private boolean send(String state) {
        if (socket == null) {
            return false;
        }
        boolean sent = socket.send(socketName, state);
        if (!sent && state.startsWith("READY")) {
            say.accept("NOTIFY_SOCKET " + socketName + ": cannot send READY=1 to systemd");
        }
        return sent;
    }

    @Override
    public void close() {
        closed = true;
        if (ticker != null) {
            ticker.interrupt();
            try {
                ticker.join(1_000); // not mid-send when the socket closes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (socket != null) {
            socket.close();
        }
    }
}
