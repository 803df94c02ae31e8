package io.smartrunner.event;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real file channel that counts fsyncs and can be told to fail the way a full disk does:
 * after writing part of a buffer.
 */
final class FlakyChannel extends FileChannel {
    final AtomicInteger forces = new AtomicInteger();
    final CountDownLatch firstForce = new CountDownLatch(1);
    /** Bytes still accepted before writes fail; negative = never fail. */
    volatile long bytesBeforeDiskFull = -1;
    volatile boolean failForce;
    private final FileChannel real;

    FlakyChannel(FileChannel real) {
        this.real = real;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        long budget = bytesBeforeDiskFull;
        if (budget < 0) {
            return real.write(src);
        }
        if (budget == 0) {
            throw new IOException("No space left on device");
        }
        ByteBuffer part = src.duplicate();
        part.limit((int) Math.min(src.limit(), src.position() + budget));
        int n = real.write(part);
        src.position(src.position() + n);
        bytesBeforeDiskFull = budget - n;
        return n;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (failForce) {
            throw new IOException("Input/output error");
        }
        real.force(metaData);
        forces.incrementAndGet();
        firstForce.countDown();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        throw new UnsupportedOperationException("gathering write");
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        real.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return real.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        throw new UnsupportedOperationException("positional write");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
