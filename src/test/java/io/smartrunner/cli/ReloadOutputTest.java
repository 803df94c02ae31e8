package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.junit.jupiter.api.Test;

/** What `reload` prints of the profiles a reload added, removed or changed. */
class ReloadOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ArrayNode ids(int n) {
        ArrayNode ids = JSON.createArrayNode();
        for (int i = 0; i < n; i++) {
            ids.add("p" + i);
        }
        return ids;
    }

    @Test
    void aShortListIsPrintedWhole() {
        assertEquals("[]", ControlCommands.Reload.firstIds(ids(0)));
        assertEquals("[\"p0\",\"p1\"]", ControlCommands.Reload.firstIds(ids(2)));
        assertEquals(ids(ControlCommands.Reload.IDS_SHOWN).toString(),
                ControlCommands.Reload.firstIds(ids(ControlCommands.Reload.IDS_SHOWN)));
    }

    @Test
    void aLongListIsCutWithTheRestCounted() {
        // reviewer R22: a reload that changed 980 profiles printed all 980 ids on one line
        String line = ControlCommands.Reload.firstIds(ids(980));
        assertEquals(ids(20).toString() + " and 960 more", line);
    }
}
