package io.smartrunner.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where this process sits in the cgroup v2 hierarchy: the cgroup2 mount (from
 * /proc/self/mountinfo; /sys/fs/cgroup on a pure-v2 machine, /sys/fs/cgroup/unified on a hybrid
 * one) joined with the process's own cgroup (the {@code 0::} line of /proc/self/cgroup).
 */
final class CgroupV2Location {
    private CgroupV2Location() {
    }

    /** This process's own cgroup directory, or an exception whose message says why there is none. */
    static Path own() {
        List<String> mountinfo = read(Path.of("/proc/self/mountinfo"));
        List<String> cgroup = read(Path.of("/proc/self/cgroup"));
        return ownCgroup(mountinfo, cgroup).orElseThrow(() -> new ProcessException(
                mount(mountinfo).isEmpty() ? "no cgroup2 file system is mounted"
                        : "this process has no cgroup v2 path in /proc/self/cgroup"));
    }

    /** The own cgroup from the two files' lines; empty when there is no v2 mount or no {@code 0::} line. */
    static Optional<Path> ownCgroup(List<String> mountinfo, List<String> cgroup) {
        Optional<String[]> mount = mount(mountinfo);
        Optional<String> path = cgroup.stream().filter(l -> l.startsWith("0::")).map(l -> l.substring(3)).findFirst();
        if (mount.isEmpty() || path.isEmpty()) {
            return Optional.empty();
        }
        String root = mount.get()[0];
        String own = path.get();
        // inside a cgroup namespace the mount's root may be a sub-path of the process's view
        if (!root.equals("/") && own.startsWith(root)) {
            own = own.substring(root.length());
        }
        Path dir = Path.of(mount.get()[1]);
        String rel = own.replaceFirst("^/+", "");
        return Optional.of(rel.isEmpty() ? dir : dir.resolve(rel));
    }

    /** {root, mount point} of the first cgroup2 mount: mountinfo fields 4 and 5, fstype after " - ". */
    private static Optional<String[]> mount(List<String> mountinfo) {
        for (String line : mountinfo) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] after = line.substring(dash + 3).split(" ");
            String[] before = line.substring(0, dash).split(" ");
            if (after.length > 0 && after[0].equals("cgroup2") && before.length >= 5) {
                return Optional.of(new String[] {unescape(before[3]), unescape(before[4])});
            }
        }
        return Optional.empty();
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new ProcessException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
