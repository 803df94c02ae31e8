package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tail a profile's log route serves: across a rotation, never through a link. */
class SessionLogRouteTest {
    @TempDir
    Path dir;

    private String tail(Path file, int want) throws Exception {
        return new String(SessionLogRoute.tailAcrossRotation(file, want), StandardCharsets.UTF_8);
    }

    /** Reviewer R9: right after a rotation the answer was empty, though the session had just printed kilobytes. */
    @Test
    void justAfterARotationTheTailComesFromTheRotatedFile() throws Exception {
        Path live = dir.resolve("p1.stdout.log");
        Files.writeString(dir.resolve("p1.stdout.log.1"), "line-58\nline-59\n");
        Files.writeString(live, "");
        assertEquals("line-59\n", tail(live, 8));

        Files.writeString(live, "line-60\n");
        assertEquals("line-59\nline-60\n", tail(live, 16), "the rotated file's end, then the live file");
        assertEquals("line-60\n", tail(live, 8), "the live file alone when it holds enough");
        assertEquals("line-58\nline-59\nline-60\n", tail(live, 1000), "all there is");
        assertEquals("", tail(dir.resolve("p2.stdout.log"), 100), "no log yet");
    }

    @Test
    void aLogThatIsASymbolicLinkIsNotReadThrough() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "root's own");
        Path live = Files.createSymbolicLink(dir.resolve("p1.stdout.log"), secret);
        Files.createSymbolicLink(dir.resolve("p1.stdout.log.1"), secret);

        assertEquals("", tail(live, 100));
    }
}
