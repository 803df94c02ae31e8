package io.smartrunner.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Whether an event stream's client takes what is sent. A client that never reads does not block
 * the stream's writes: the kernel's send buffer (up to 4 MB) takes a whole backlog and hours of
 * keep-alives, so the stream, and its slot, would live for ever. The data the client has not
 * acknowledged is read from {@code /proc/self/net/tcp*} (the socket's {@code tx_queue}); a stream
 * whose unacknowledged data has not shrunk by a byte for the bound is stalled. A write that blocks
 * outright is Jetty's idle timeout's (the same bound). Where /proc cannot say, nothing is stalled.
 * Not thread-safe: one per stream.
 */
final class StreamDelivery {
    private static final List<Path> TCP_TABLES = List.of(Path.of("/proc/self/net/tcp"), Path.of("/proc/self/net/tcp6"));
    private static final long LOOK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final long boundNanos;
    private long acked;
    private long waitingSince = -1;
    private long lastLook = Long.MIN_VALUE;

    /** @param boundMs how long a client may take nothing of what is pending (http.requestTimeoutMs) */
    StreamDelivery(InetSocketAddress local, InetSocketAddress remote, long boundMs) {
        this.local = local;
        this.remote = remote;
        this.boundNanos = TimeUnit.MILLISECONDS.toNanos(boundMs);
    }

    /**
     * Looks at most once a second (a busy log writes a page per event; /proc's table is the whole machine's).
     *
     * @param written bytes of the stream handed to the socket so far
     * @param nowNanos monotonic time
     */
    boolean stalled(long written, long nowNanos) {
        if (lastLook != Long.MIN_VALUE && nowNanos - lastLook < LOOK_EVERY_NANOS) {
            return false;
        }
        lastLook = nowNanos;
        OptionalLong unacked = unacknowledged();
        return unacked.isPresent() && stalled(written, unacked.getAsLong(), nowNanos);
    }

    /**
     * The rule, given the socket's unacknowledged bytes. {@code written} counts the events' bytes
     * only, not the chunks' framing, so a client that took nothing never seems to have taken some.
     */
    boolean stalled(long written, long unacked, long nowNanos) {
        long nowAcked = written - unacked;
        if (unacked == 0 || nowAcked > acked || waitingSince < 0) {
            acked = Math.max(acked, nowAcked);
            waitingSince = unacked == 0 ? -1 : nowNanos;
            return false;
        }
        return nowNanos - waitingSince > boundNanos;
    }

    private OptionalLong unacknowledged() {
        for (Path table : TCP_TABLES) {
            try (var lines = Files.lines(table)) {
                OptionalLong found = lines.skip(1).map(this::txQueueIfOurs).filter(OptionalLong::isPresent)
                        .findFirst().orElse(OptionalLong.empty());
                if (found.isPresent()) {
                    return found;
                }
            } catch (IOException | RuntimeException e) {
                // no /proc (not Linux, or hidden): blocked writes are still bounded by the idle timeout
            }
        }
        return OptionalLong.empty();
    }

    /** A line is {@code sl local rem st tx_queue:rx_queue ...}, addresses as hex words in host order. */
    private OptionalLong txQueueIfOurs(String line) {
        String[] f = line.strip().split("\\s+");
        if (f.length < 5 || !matches(f[1], local) || !matches(f[2], remote)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(f[4].substring(0, f[4].indexOf(':')), 16));
    }

    static boolean matches(String hexAddress, InetSocketAddress address) {
        int colon = hexAddress.indexOf(':');
        if (Integer.parseInt(hexAddress.substring(colon + 1), 16) != address.getPort()) {
            return false;
        }
        String hex = hexAddress.substring(0, colon);
        ByteBuffer bytes = ByteBuffer.allocate(hex.length() / 2);
        for (int i = 0; i < hex.length(); i += 8) {
            int word = (int) Long.parseLong(hex.substring(i, i + 8), 16);
            bytes.putInt(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(word) : word);
        }
        try {
            // a v4-mapped v6 address comes back as the v4 one, as Java reports the peer
            return InetAddress.getByAddress(bytes.array()).equals(address.getAddress());
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
