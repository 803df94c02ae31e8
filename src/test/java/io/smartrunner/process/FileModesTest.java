package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The umask for a file mode: directories get x where the mode has r. */
class FileModesTest {
    @Test
    void umaskGivesDirectoriesSearchWhereFilesAreReadable() {
        assertEquals(0077, FileModes.umaskFor(0600));
        assertEquals(0027, FileModes.umaskFor(0640));
        assertEquals(0022, FileModes.umaskFor(0644));
        assertEquals(0000, FileModes.umaskFor(0666));
    }

    @Test
    void refusesModesWithExecuteBitsOrWithoutOwnerRw() {
        assertThrows(IllegalArgumentException.class, () -> FileModes.apply(0700));
        assertThrows(IllegalArgumentException.class, () -> FileModes.apply(0400));
    }
}
