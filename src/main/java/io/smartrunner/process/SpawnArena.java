package io.smartrunner.process;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.smartrunner.Utf8;
import java.util.List;

/**
 * Every native buffer one posix_spawn call needs, carved out of a single allocation: the file
 * actions and attributes, two signal sets, the pid, and each C string and string array. JNA's own
 * conversions (a {@code Memory} with a cleaner per String argument and per element of a
 * {@code StringArray}: some forty per session with a typical environment) were a tenth of the
 * launch thread's CPU in a crash loop. Sized before it is filled; one launch, one thread.
 */
final class SpawnArena {
    private static final int ALIGN = 16;
    private final Memory memory;
    private long next;

    private SpawnArena(long size) {
        memory = new Memory(Math.max(size, 1));
        memory.clear();
    }

    /**
     * An arena with room for {@code strings} placed with {@link #string}, {@code arrays} placed with
     * {@link #array} and one {@link #bytes} request of each of {@code buffers}' sizes.
     */
    static SpawnArena sizedFor(List<String> strings, List<List<String>> arrays, long... buffers) {
        long size = 0;
        for (long n : buffers) {
            size += align(n);
        }
        for (String s : strings) {
            size += cStringBytes(s);
        }
        for (List<String> array : arrays) {
            size += align((long) (array.size() + 1) * Native.POINTER_SIZE);
            for (String s : array) {
                size += cStringBytes(s);
            }
        }
        return new SpawnArena(size);
    }

    private static long cStringBytes(String s) {
        return align(Utf8.length(s) + 1L);
    }

    private static long align(long n) {
        return (n + ALIGN - 1) & -ALIGN;
    }

    /** {@code n} zeroed bytes (an opaque structure, a sigset, an int). */
    Pointer bytes(long n) {
        Pointer p = memory.share(next, n);
        next += align(n);
        return p;
    }

    /** {@code s} as a NUL-terminated UTF-8 string. */
    Pointer string(String s) {
        byte[] utf8 = s.getBytes(UTF_8);
        Pointer p = memory.share(next, utf8.length + 1L);
        p.write(0, utf8, 0, utf8.length);
        p.setByte(utf8.length, (byte) 0);
        next += align(utf8.length + 1L);
        return p;
    }

    /** {@code strings} as a NULL-terminated array of C strings (argv, envp). */
    Pointer array(List<String> strings) {
        Pointer array = bytes((long) (strings.size() + 1) * Native.POINTER_SIZE);
        for (int i = 0; i < strings.size(); i++) {
            array.setPointer((long) i * Native.POINTER_SIZE, string(strings.get(i)));
        }
        return array; // the last slot stays null (the arena is zeroed)
    }

    /** The whole allocation, for tests. */
    long size() {
        return memory.size();
    }

    /** Bytes placed so far, for tests. */
    long used() {
        return next;
    }
}
