package io.smartrunner.event;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** A batch of serialised events, handed to the channel without a copy; reused between batches. */
final class BatchBuffer extends ByteArrayOutputStream {
    BatchBuffer() {
        super(8192);
    }

    ByteBuffer bytes() {
        return ByteBuffer.wrap(buf, 0, count);
    }

    int capacity() {
        return buf.length;
    }
}
