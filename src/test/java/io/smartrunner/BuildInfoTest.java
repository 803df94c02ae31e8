package io.smartrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which build this is: what bin/build-info wrote into the jar, as --version and runner-start say it. */
class BuildInfoTest {
    private static BuildInfo.Stamp stamp(String text) {
        return BuildInfo.Stamp.read(text == null ? null : new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void aCommitAndItsChangesAreNamed() {
        BuildInfo.Stamp s = stamp("commit=3582234abcde\nchanges=false\nbuilt=2026-12-07T10:29:00Z\n");
        assertEquals("0.1.0+3582234abcde", s.version());
        assertEquals("0.1.0+3582234abcde (commit 3582234abcde, built 2026-12-07T10:29:00Z)", s.describe());
        BuildInfo.Stamp dirty = stamp("commit=3582234abcde\nchanges=true\nbuilt=2026-12-07T10:29:00Z\n");
        assertEquals("0.1.0+3582234abcde.changes", dirty.version());
        assertTrue(dirty.describe().contains("with uncommitted changes"), dirty.describe());
    }

    @Test
    void withoutAStampOrAGitCheckoutTheReleaseAlone() {
        assertEquals("0.1.0", stamp(null).version());
        assertEquals("0.1.0", stamp("commit=unknown\nchanges=false\nbuilt=2026-12-07T10:29:00Z\n").version());
        assertEquals("0.1.0 (commit unknown: built outside a git checkout, built 2026-12-07T10:29:00Z)",
                stamp("commit=unknown\nbuilt=2026-12-07T10:29:00Z\n").describe());
        assertEquals("0.1.0", stamp("commit=$(rm -rf /)\n").version(), "only a hex commit is shown");
    }

    /** The build wrote this checkout's commit (mvn's generate-resources ran bin/build-info); outside one, none. */
    @Test
    void theBuildStampsThisCheckoutsCommit() throws Exception {
        if (!Files.exists(Path.of(".git"))) {
            assertEquals("0.1.0", BuildInfo.version(), "a source archive: no commit to name");
            return;
        }
        Process git = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").redirectErrorStream(true).start();
        String commit = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (git.waitFor() != 0) { // git refuses here (another owner's checkout): the build's stamp could not name it either
            assertEquals("0.1.0", BuildInfo.version(), commit);
            return;
        }
        assertTrue(BuildInfo.version().startsWith("0.1.0+" + commit), BuildInfo.version() + " vs HEAD " + commit);
    }
}
