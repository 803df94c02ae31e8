package io.smartrunner.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * For the few tests whose point is the default port 7070: an exclusive lock across JVMs (so two
 * such tests, or two builds on one machine, never race for it), then a wait until the port is
 * really free. Every other test binds port 0.
 */
final class DefaultPortLock implements AutoCloseable {
    static final int PORT = 7070;
    private static final Path LOCK = Path.of(System.getProperty("java.io.tmpdir"), "smart-runner-port-7070.lock");
    private final FileChannel channel;
    private final FileLock lock;

    private DefaultPortLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Blocks until this JVM holds the lock and 127.0.0.1:7070 can be bound (bounded: 60 s). */
    static DefaultPortLock acquire() throws IOException, InterruptedException {
        FileChannel ch = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.lock();
        DefaultPortLock held = new DefaultPortLock(ch, lock);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!free()) {
            if (System.nanoTime() - deadline > 0) {
                held.close();
                throw new AssertionError("127.0.0.1:" + PORT + " stays in use by something outside this test"
                        + " (see 'ss -ltnp sport = :" + PORT + "'); a test must bind port 0 unless it tests the default");
            }
            Thread.sleep(100);
        }
        return held;
    }

    static boolean free() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as the runner's server does: TIME_WAIT left by an earlier test does not count
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
