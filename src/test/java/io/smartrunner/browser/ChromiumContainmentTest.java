package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.process.ChildEnvironment;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Chromium started by the provider inherits none of the runner's descriptors and none of
 * its secrets. Chromium opens plenty of descriptors of its own, so the check is that no target of
 * any browser process's descriptors is one the runner has open (same file, same socket inode).
 */
@Tag("browser")
class ChromiumContainmentTest {
    private static final String SECRET = "browser-secret-" + UUID.randomUUID();
    @TempDir
    Path dir;
    private ChromiumProvider provider;

    @AfterEach
    void tearDown() {
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void browserProcessesHoldNoneOfTheRunnersDescriptorsAndNoSecret() throws Exception {
        Map<String, String> runnerEnv = new HashMap<>(System.getenv());
        runnerEnv.put("SR_TEST_SECRET", SECRET);
        runnerEnv.put("SR_TEST_OTHER", "other");
        BrowserSettings d = BrowserSettings.defaults();
        provider = new ChromiumProvider(new BrowserSettings(BrowserSettings.Provider.CHROMIUM, d.chromium(),
                d.adspower(), true, true, 30_000), dir.resolve("browsers"), dir.resolve("logs"),
                PosixSpawnLauncher.best(ChildEnvironment.of(runnerEnv, Set.of(SECRET))), new ProcFsProcessTable(),
                "test-" + UUID.randomUUID());
        ProfileConfig profile = new ProfileConfig("fds", "podA", null, SessionSettings.defaults(), null, null);

        try (FileChannel log = FileChannel.open(dir.resolve("events.jsonl"), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
             ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            provider.open(profile);
            Set<String> runners = shareable(descriptors(Path.of("/proc/self/fd")).values());
            assertTrue(runners.contains(dir.resolve("events.jsonl").toString()), runners.toString());

            List<Long> browser = browserProcesses("fds");
            assertFalse(browser.isEmpty(), "the browser's processes are tagged");
            for (long pid : browser) {
                Set<String> leaked = new HashSet<>(descriptors(Path.of("/proc", Long.toString(pid), "fd")).values());
                leaked.retainAll(runners);
                assertEquals(Set.of(), leaked, "runner descriptors in browser process " + pid);
                String env = environ(pid);
                assertFalse(env.contains(SECRET), "secret in browser process " + pid);
                assertFalse(env.contains("SR_TEST_OTHER="), "not in a browser's base: " + pid);
            }
        }
    }

    /** Targets that name one object: files and sockets/pipes by inode, not /dev nodes or anonymous inodes. */
    private static Set<String> shareable(java.util.Collection<String> targets) {
        Set<String> out = new HashSet<>();
        for (String t : targets) {
            if (!t.startsWith("/dev/") && !t.startsWith("anon_inode:")) {
                out.add(t);
            }
        }
        return out;
    }

    private static Map<Integer, String> descriptors(Path fdDir) throws IOException {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(fdDir)) {
            for (Path fd : entries.toList()) {
                try {
                    fds.put(Integer.parseInt(fd.getFileName().toString()), Files.readSymbolicLink(fd).toString());
                } catch (IOException closed) {
                    // closed meanwhile
                }
            }
        }
        return fds;
    }

    private static List<Long> browserProcesses(String profileId) throws IOException {
        String tag = "SR_SESSION_ID=" + io.smartrunner.process.RunTag.browserPrefix(profileId);
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (environ(pid).contains("\0" + tag) || environ(pid).startsWith(tag)) {
                    pids.add(pid);
                }
            }
        }
        return pids;
    }

    private static String environ(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
                    StandardCharsets.ISO_8859_1);
        } catch (IOException gone) {
            return "";
        }
    }
}
