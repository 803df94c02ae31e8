package io.smartrunner.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * The live processes of one run (a profile's browser) as a tree stop would find them: the
 * leader, its group and descendants, every process tagged with the run id and its cgroup's
 * members. For what the browser provider measures (memory) and reports (what a close left).
 */
public final class RunMembers {
    private RunMembers() {
    }

    /** How many processes of the run are alive now (zombies, which only wait to be reaped, are not). */
    public static int alive(RunningProcess run, String runId) {
        return members(run, runId).size();
    }

    /**
     * The resident memory of the run's live processes, summed ({@code VmRSS} of each, so pages
     * they share are counted once per process, as {@code ps} shows them).
     */
    public static long rssBytes(RunningProcess run, String runId) {
        long kb = 0;
        for (ProcStat p : members(run, runId)) {
            kb += vmRssKb(p.pid());
        }
        return kb * 1024;
    }

    private static Collection<ProcStat> members(RunningProcess run, String runId) {
        SessionCgroup cgroup = Placement.of(run.pid()).cgroup();
        return new SessionMembers(run.pid(), run.startTicks(), runId, cgroup)
                .in(ProcSnapshot.after(ProcSnapshot.latest()));
    }

    /** 0 when the process has gone meanwhile. */
    static long vmRssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"),
                    StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
