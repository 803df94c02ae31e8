package io.smartrunner.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;

/** The runner's own child processes, read cheaply: the subreaper looks at them every second. */
final class SelfChildren {
    private SelfChildren() {
    }

    /**
     * This process's children: from /proc/self/task/TID/children (a few small reads, one per
     * thread; an adopted orphan is listed under one of them) when the kernel has it, else a scan
     * of all of /proc. Only the children {@code wanted} accepts are read further (their stat file):
     * with 200 idle sessions the subreaper's scan each second reads none of theirs.
     */
    static Collection<ProcStat> list(LongPredicate wanted) {
        Set<Long> pids = new HashSet<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String list;
                try {
                    list = Files.readString(task.resolve("children"));
                } catch (NoSuchFileException e) {
                    if (Files.exists(task)) {
                        return ProcFs.scan().values(); // no CONFIG_PROC_CHILDREN
                    }
                    continue; // the thread ended meanwhile
                }
                long child = -1; // the file is pids separated by spaces: read without a regex (it is read often)
                for (int i = 0; i <= list.length(); i++) {
                    char c = i < list.length() ? list.charAt(i) : ' ';
                    if (c >= '0' && c <= '9') {
                        child = (child < 0 ? 0 : child * 10) + (c - '0');
                    } else if (Character.isWhitespace(c)) {
                        if (child >= 0 && wanted.test(child)) {
                            pids.add(child);
                        }
                        child = -1;
                    } else {
                        throw new NumberFormatException("not a pid list: " + list);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            return ProcFs.scan().values();
        }
        List<ProcStat> found = new ArrayList<>(pids.size());
        pids.forEach(pid -> ProcFs.stat(pid).ifPresent(found::add));
        return found;
    }
}
