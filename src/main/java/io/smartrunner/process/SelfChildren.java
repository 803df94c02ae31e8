package io.smartrunner.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.LongPredicate;

/** The runner's own child processes, read cheaply: the subreaper looks at them every second. */
final class SelfChildren {
    private static final Path LEADER_CHILDREN =
            Path.of("/proc/self/task", Long.toString(ProcessHandle.current().pid()), "children");

    private SelfChildren() {
    }

    /**
     * The children this process adopted, and any it spawned from its main thread: from the
     * main thread's /proc/self/task/PID/children when the kernel has it, else a scan of all of
     * /proc. Only the children {@code wanted} accepts are read further (their stat file).
     * <p>Only the main thread's list: an orphan is handed to a child subreaper's first live thread
     * ({@code find_alive_thread}, the group leader, which the java launcher keeps waiting for the
     * JVM's end), while the sessions are children of the threads that spawned them. Reading every
     * thread's list, as before, walked the launch threads' hundreds of sessions through the
     * kernel's children file, which restarts from the head of the list for each entry: at 1 000
     * sessions and a scan 50 ms after each run of ends, 6 % of the runner's CPU.
     */
    static Collection<ProcStat> list(LongPredicate wanted) {
        String list;
        try {
            list = Files.readString(LEADER_CHILDREN);
        } catch (IOException e) { // without CONFIG_PROC_CHILDREN the file is missing
            return ProcFs.scan().values();
        }
        List<ProcStat> found = new ArrayList<>();
        long child = -1; // the file is pids separated by spaces: read without a regex (it is read often)
        for (int i = 0; i <= list.length(); i++) {
            char c = i < list.length() ? list.charAt(i) : ' ';
            if (c >= '0' && c <= '9') {
                child = (child < 0 ? 0 : child * 10) + (c - '0');
            } else if (Character.isWhitespace(c)) {
                if (child >= 0 && wanted.test(child)) {
                    ProcFs.stat(child).ifPresent(found::add);
                }
                child = -1;
            } else {
                return ProcFs.scan().values(); // not a pid list
            }
        }
        return found;
    }
}
