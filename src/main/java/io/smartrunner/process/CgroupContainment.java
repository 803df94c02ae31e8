package io.smartrunner.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The runner's cgroup v2 subtree: {@code <own cgroup>/smart-runner-<runnerId>/}, with one child
 * cgroup per running session ({@link CgroupPool}: reused, {@code session-<n>}), browser or recovery
 * step (named after its run id). The subtree's name carries the store's runner id,
 * so the next runner of the same data dir finds what a killed one left.
 */
final class CgroupContainment {
    static final String PREFIX = "smart-runner-";
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");
    private final Path root;
    private final CgroupPool sessions;
    private final boolean nativeClones;

    private CgroupContainment(Path root, boolean nativeClones) {
        this.root = root;
        this.nativeClones = nativeClones;
        this.sessions = new CgroupPool(root);
    }

    Path root() {
        return root;
    }

    /** Where this runner id's subtree is (whether or not it exists). */
    static Path rootFor(String runnerId) {
        return CgroupV2Location.own().resolve(PREFIX + safeName(runnerId));
    }

    /**
     * Creates (or reuses) the runner's subtree and checks it supports {@code cgroup.kill}.
     *
     * @throws ProcessException saying why cgroups are unavailable here
     */
    static CgroupContainment create(String runnerId) {
        Path root = rootFor(runnerId);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new ProcessException("cannot create " + root + ": " + reason(e));
        }
        if (!Files.exists(root.resolve("cgroup.kill"))) {
            new SessionCgroup(root).remove();
            throw new ProcessException(root + " has no cgroup.kill (Linux 5.14+ needed)");
        }
        return new CgroupContainment(root, NativeSpawn.clonesInto(root));
    }

    /** Whether launches through {@link NativeSpawn} may clone children into this subtree's cgroups ({@link NativeSpawn#clonesInto}). */
    boolean nativeClones() {
        return nativeClones;
    }

    /** Whether this process could create its subtree here: a probe directory is made and removed. */
    static Optional<String> unavailableReason(String runnerId) {
        try {
            Path probe = CgroupV2Location.own().resolve(PREFIX + "probe-" + ProcessHandle.current().pid());
            Files.createDirectory(probe);
            boolean kill = Files.exists(probe.resolve("cgroup.kill"));
            new SessionCgroup(probe).remove();
            return kill ? Optional.empty() : Optional.of("no cgroup.kill (Linux 5.14+ needed)");
        } catch (IOException e) {
            return Optional.of("cannot create a cgroup under " + CgroupV2Location.own() + ": " + reason(e));
        } catch (ProcessException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The cgroup for one launch: a session's is lent by the pool of session cgroups, a browser's
     * or recovery step's is made for it and named after its run id.
     */
    SessionCgroup forLaunch(String runId) throws IOException {
        if (RunTag.of(runId) == RunTag.SESSION) {
            return sessions.lend();
        }
        try {
            return SessionCgroup.create(root.resolve(safeName(runId)));
        } catch (java.nio.file.NoSuchFileException gone) { // the subtree itself is gone: as CgroupPool#lend
            Files.createDirectories(root);
            return SessionCgroup.create(root.resolve(safeName(runId)));
        }
    }

    /** Where sessions' cgroups go back once empty. */
    CgroupPool sessions() {
        return sessions;
    }

    /**
     * Kills and removes the session cgroups a previous runner with this id left (after a kill -9),
     * except those holding a process {@code keep} accepts.
     *
     * @return how many cgroups were killed
     */
    static int killLeftovers(String runnerId, Predicate<Long> keep) {
        Path root;
        try {
            root = rootFor(runnerId);
        } catch (ProcessException e) {
            return 0;
        }
        if (!Files.isDirectory(root)) {
            return 0;
        }
        List<SessionCgroup> killed = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : dirs) {
                SessionCgroup group = new SessionCgroup(dir);
                if (group.emptied()) {
                    group.remove(); // an idle one of its pool: nothing to kill
                } else if (group.pids().stream().noneMatch(keep) && group.kill()) {
                    killed.add(group);
                }
            }
        } catch (IOException e) {
            throw new ProcessException("cannot list " + root + ": " + e.getMessage(), e);
        }
        killed.forEach(CgroupContainment::removeWhenEmpty);
        return killed.size();
    }

    /** Waits (bounded, by polling cgroup.events) until the killed cgroup is empty, then removes it. */
    static boolean removeWhenEmpty(SessionCgroup group) {
        long deadline = System.nanoTime() + TreeKill.KILL_WAIT_MS * 1_000_000L;
        long pollMs = 5;
        while (group.populated() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(pollMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pollMs = Math.min(pollMs * 2, 100);
        }
        return group.remove();
    }

    /** A directory name from an id: cgroup names may not hold '/', and stay short. */
    static String safeName(String id) {
        String s = UNSAFE.matcher(id).replaceAll("_");
        if (s.startsWith(".") || s.startsWith("cgroup")) {
            s = "_" + s;
        }
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    private static String reason(IOException e) {
        return e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.toString();
    }
}
