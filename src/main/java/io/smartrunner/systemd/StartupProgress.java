package io.smartrunner.systemd;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a long start says (a state store's one-time upgrade, which can take minutes on a big
 * store), also told to systemd while the runner is still starting: each line goes out as
 * {@code STATUS=} (shown by {@code systemctl status}) with {@code EXTEND_TIMEOUT_USEC}, so a
 * {@code Type=notify} unit's {@code TimeoutStartSec} runs from the last line said rather than from
 * the start. An upgrade that goes on saying where it is never times out; one that stops saying
 * anything for {@link #EXTEND_USEC} is stopped as before. After {@link #close} (the start is over) lines
 * are only said: an extension sent then would lengthen the stop's timeout instead. Without
 * {@code NOTIFY_SOCKET} it only says.
 */
public final class StartupProgress implements Consumer<String>, AutoCloseable {
    /** How long past each line the start may take: a progress line comes every 10 s, the last step (one transaction) may take a few minutes. */
    static final long EXTEND_USEC = TimeUnit.MINUTES.toMicros(5);

    private final Consumer<String> say;
    private final String socketName;
    private UnixDatagram socket;
    private boolean closed;

    private StartupProgress(Consumer<String> say, String socketName) {
        this.say = say;
        this.socketName = socketName;
    }

    /** @param env the runner's environment ({@code NOTIFY_SOCKET}); @param say where the lines go first (stderr) */
    public static StartupProgress fromEnvironment(Map<String, String> env, Consumer<String> say) {
        return new StartupProgress(say, SystemdNotifier.notifySocket(env, line -> { }));
    }

    @Override
    public synchronized void accept(String line) {
        say.accept(line);
        if (closed || socketName == null) {
            return;
        }
        if (socket == null) {
            socket = UnixDatagram.open();
        }
        // one line: STATUS ends at the newline that separates the assignments
        socket.send(socketName, "EXTEND_TIMEOUT_USEC=" + EXTEND_USEC + "\nSTATUS=" + line.replace('\n', ' '));
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
