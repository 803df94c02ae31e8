package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Finding the runner's own cgroup v2 directory from /proc/self/mountinfo and /proc/self/cgroup lines. */
class CgroupV2LocationTest {
    private static final String V1_MEMORY = "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory";

    @Test
    void hybridMachineUsesTheUnifiedMount() {
        List<String> mountinfo = List.of(V1_MEMORY,
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")),
                CgroupV2Location.ownCgroup(mountinfo, List.of("4:memory:/x", "0::/")));
    }

    @Test
    void pureV2MachineJoinsTheMountWithTheOwnPath() {
        List<String> mountinfo = List.of("29 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate");
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/system.slice/smart-runner.service")),
                CgroupV2Location.ownCgroup(mountinfo, List.of("0::/system.slice/smart-runner.service")));
    }

    @Test
    void aMountOfASubtreeIsNotCountedTwice() {
        List<String> mountinfo = List.of("29 23 0:26 /user.slice /mnt/cg rw - cgroup2 cgroup2 rw");
        assertEquals(Optional.of(Path.of("/mnt/cg/user-0.slice")),
                CgroupV2Location.ownCgroup(mountinfo, List.of("0::/user.slice/user-0.slice")));
    }

    @Test
    void noV2MountOrNoV2LineMeansNone() {
        assertEquals(Optional.empty(), CgroupV2Location.ownCgroup(List.of(V1_MEMORY), List.of("0::/")));
        assertEquals(Optional.empty(), CgroupV2Location.ownCgroup(
                List.of("41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw"), List.of("4:memory:/x")));
    }
}
