package io.smartrunner.process;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runner's session cgroups, reused: {@code session-<n>} directories under the runner's
 * subtree, each lent to one session at a time and taken back once it is empty. Creating and
 * removing a cgroup per session (mkdir and rmdir, each a walk of the kernel's cgroup tree and a
 * dozen interface files made or freed) was a tenth of the runner's CPU in a crash loop and in a
 * 10 000-profile fleet; a cgroup cannot be renamed (cgroup v2 answers EPERM), so a reused one
 * carries no session's name. A process's session is in its {@code SR_SESSION_ID}.
 * <p>
 * A session's lease is a {@link SessionCgroup} of its own: once given back, what still holds it
 * (a tree stop that begins late, a memory reading) can neither list nor kill what the next
 * session runs there. At most {@link #IDLE_KEPT} empty ones wait for reuse (about 6 KiB of kernel
 * memory each); more are removed. Browsers and recovery steps keep cgroups named after their run
 * ids: the next runner finds a browser it keeps by that name. Thread-safe.
 */
final class CgroupPool {
    static final String PREFIX = "session-";
    /** Empty cgroups kept for the next sessions; a burst of ends beyond it removes the rest. */
    static final int IDLE_KEPT = 256;
    private final Path root;
    private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final AtomicLong names = new AtomicLong();
    private final AtomicLong created = new AtomicLong();

    /** An empty cgroup waiting, with its id once a lease has read it ({@link SessionCgroup#knownId()}). */
    private record Idle(Path dir, long id) {
    }

    CgroupPool(Path root) {
        this.root = root;
    }

    /** An empty cgroup for one session: the one given back last, else a new one. */
    SessionCgroup lend() throws IOException {
        Idle kept = idle.pollFirst();
        if (kept != null) {
            idleCount.decrementAndGet();
            return SessionCgroup.lent(kept.dir(), false, kept.id());
        }
        while (true) {
            Path fresh = root.resolve(PREFIX + names.incrementAndGet());
            try {
                Files.createDirectory(fresh);
                created.incrementAndGet();
                return SessionCgroup.lent(fresh, true, 0);
            } catch (FileAlreadyExistsException e) {
                // a previous runner's that its successor has not removed yet: never shared, the next name
            } catch (java.nio.file.NoSuchFileException gone) {
                // the subtree itself is gone: removed by an operator, or by a dead predecessor's death
                // watch in the microseconds between its look at the data dir's lock and its rmdir
                Files.createDirectories(root);
            }
        }
    }

    /**
     * Takes back a lease whose session's processes are all gone (the caller checked
     * {@link SessionCgroup#emptied()} after {@link SessionCgroup#revoke()}): kept for the next
     * session, or removed when enough wait already.
     */
    void takeBack(SessionCgroup lease) {
        if (idleCount.incrementAndGet() <= IDLE_KEPT) {
            idle.addFirst(new Idle(lease.dir(), lease.knownId()));
        } else {
            idleCount.decrementAndGet();
            lease.remove();
        }
    }

    /** How many cgroups it has made (tests: reuse makes none). */
    long created() {
        return created.get();
    }

    /** How many wait empty now, ready to be lent (tests; the count is taken before one is added). */
    int idle() {
        return idle.size();
    }
}
