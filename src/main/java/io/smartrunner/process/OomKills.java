package io.smartrunner.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's count of processes its OOM killer killed ({@code oom_kill} in /proc/vmstat, Linux
 * 4.13+), read when a session dies of a SIGKILL the runner did not send: if it rose since the last
 * reading, the death was most likely the OOM killer's (the session's memory limit, or the host's),
 * and its {@code error} event says so. A reviewer's child killed in a 200 MB memory cgroup read as
 * a plain "killed by SIGKILL". A hint, not a proof: another process may have been the one killed.
 * Loop thread only.
 */
public final class OomKills {
    private final Path vmstat;
    private long last;

    /** Reads the count now, so the first death compares with the start. */
    public OomKills(Path vmstat) {
        this.vmstat = vmstat;
        this.last = read();
    }

    public static OomKills system() {
        return new OomKills(Path.of("/proc/vmstat"));
    }

    /** The hint for a SIGKILL death, or null when the count did not rise (or cannot be read). */
    public String sinceLastDeath() {
        long now = read();
        long before = last;
        last = now;
        if (now < 0 || before < 0 || now <= before) {
            return null;
        }
        return "the kernel's OOM killer killed " + (now - before) + " process(es) meanwhile (/proc/vmstat oom_kill "
                + before + " -> " + now + "): most likely out of memory (the session's memory limit, or the host's)";
    }

    private long read() {
        try {
            for (String line : Files.readAllLines(vmstat)) {
                if (line.startsWith("oom_kill ")) {
                    return Long.parseLong(line.substring("oom_kill ".length()).trim());
                }
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            // no /proc (or an old kernel): no hint
        }
        return -1;
    }
}
