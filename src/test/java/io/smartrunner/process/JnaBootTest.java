package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * JNA without its ldconfig fork: a fresh JVM (JNA initialises once per JVM) records the processes
 * it starts (JFR's {@code jdk.ProcessStart}) while it binds libc as the runner does.
 */
@Tag("e2e")
class JnaBootTest {

    @Test
    void theRunnersJnaSetUpStartsNoProcessAndStillBindsLibc() throws Exception {
        String out = probe("configured");
        assertTrue(out.contains("getpid matches"), out);
        assertTrue(out.contains("processes started: []"), out);
    }

    @Test
    void withoutItJnaForksLdconfigSoTheProbeCanTellTheDifference() throws Exception {
        String out = probe("bare");
        assertTrue(out.contains("getpid matches"), out);
        assertTrue(out.contains("ldconfig"), out);
    }

    @Test
    void anOperatorsOwnPathIsKept() {
        String before = System.getProperty(JnaBoot.PLATFORM_PATH);
        try {
            System.setProperty(JnaBoot.PLATFORM_PATH, "/opt/mine");
            JnaBoot.configure();
            assertEquals("/opt/mine", System.getProperty(JnaBoot.PLATFORM_PATH));
        } finally {
            if (before == null) {
                System.clearProperty(JnaBoot.PLATFORM_PATH);
            } else {
                System.setProperty(JnaBoot.PLATFORM_PATH, before);
            }
        }
    }

    @Test
    void thePathListsTheMultiarchDirectoriesItKnowsThenTheClassicOnes() {
        assertEquals("/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu:/usr/lib64:/lib64:/usr/lib:/lib",
                JnaBoot.platformPath("amd64"));
        assertEquals("/usr/lib/aarch64-linux-gnu:/lib/aarch64-linux-gnu:/usr/lib64:/lib64:/usr/lib:/lib",
                JnaBoot.platformPath("aarch64"));
        assertEquals("/usr/lib64:/lib64:/usr/lib:/lib", JnaBoot.platformPath("riscv64"));
    }

    private static String probe(String mode) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Probe.class.getName(), mode).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** Binds libc through JNA in a JVM of its own, "configured" as {@code Main} does or "bare". */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            if (args[0].equals("configured")) {
                JnaBoot.configure();
            }
            Path file = java.nio.file.Files.createTempFile("jna-boot", ".jfr");
            try (Recording recording = new Recording()) {
                recording.enable("jdk.ProcessStart");
                recording.start();
                int pid = com.sun.jna.NativeLibrary.getInstance("c").getFunction("getpid").invokeInt(new Object[0]);
                recording.stop();
                recording.dump(file);
                System.out.println(pid == ProcessHandle.current().pid() ? "getpid matches" : "getpid " + pid);
            }
            List<String> started = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("jdk.ProcessStart"))
                    .map((RecordedEvent e) -> e.getString("command")).toList();
            java.nio.file.Files.delete(file);
            System.out.println("processes started: " + started);
        }
    }
}
