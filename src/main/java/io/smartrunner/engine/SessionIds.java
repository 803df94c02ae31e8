package io.smartrunner.engine;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * New session ids: UUIDs of version 7 (RFC 9562), whose first 48 bits are the start's epoch
 * millisecond and the other 74 random. Both stores key sessions on the id: with random (version 4)
 * ids every new session wrote a leaf page of that index picked at random, one WAL frame per
 * session on its own, and pruning deleted at random pages too; ids in start order are appended
 * where the previous ones were and aged out together ({@code bench/sqlite_frames.py} counts the
 * frames). The random part comes from a generator seeded once from {@link SecureRandom}: 74 bits a
 * millisecond keep runners sharing a store apart, and ids are names, not secrets. The time is the
 * caller's (the loop's injected clock). Within one millisecond the random part counts up from
 * where that millisecond's first id started (RFC 9562's monotonic method): ids this runner makes
 * sort in the order it made them, which the SQLite store uses to order sessions that started in
 * the same millisecond. Not thread-safe: the loop's own.
 */
final class SessionIds {
    private static final long VERSION_7 = 0x7000L;
    private static final long VARIANT = 0x8000_0000_0000_0000L;
    private static final long MILLIS_BITS = (1L << 48) - 1;
    private static final long RAND_B_BITS = (1L << 62) - 1;
    private final SplittableRandom random;
    private long lastMillis = -1;
    private long randA;
    private long randB;

    SessionIds() {
        this(new SecureRandom().nextLong());
    }

    /** @param seed the random part's seed (tests) */
    SessionIds(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A new id for a session decided at {@code now}. */
    String next(Instant now) {
        long millis = now.toEpochMilli() & MILLIS_BITS;
        if (millis == lastMillis) {
            randB = (randB + 1) & RAND_B_BITS;
            if (randB == 0) {
                randA++; // a 12-bit field begun below 2^11: 2^11 carries of 2^62 ids each before it could overflow
            }
        } else {
            lastMillis = millis;
            randA = random.nextInt(1 << 11);
            randB = random.nextLong() >>> 2;
        }
        return new UUID(millis << 16 | VERSION_7 | randA, VARIANT | randB).toString();
    }
}
