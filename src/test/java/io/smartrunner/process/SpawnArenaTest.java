package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpawnArenaTest {

    @Test
    void stringsAndArraysAreCStringsInOneAllocationThatTheyFillWithoutOverflow() {
        List<String> argv = List.of("/bin/echo", "héllo", "😀 wide", "");
        List<String> envp = List.of("A=1", "LANG=C.UTF-8");
        SpawnArena arena = SpawnArena.sizedFor(List.of("/dev/null"), List.of(argv, envp), 64, 4);
        Pointer opaque = arena.bytes(64);
        Pointer pid = arena.bytes(4);
        assertEquals(0, opaque.getLong(56), "zeroed");
        assertEquals(0, pid.getInt(0));
        assertEquals("/dev/null", arena.string("/dev/null").getString(0, "UTF-8"));
        Pointer a = arena.array(argv);
        for (int i = 0; i < argv.size(); i++) {
            assertEquals(argv.get(i), a.getPointer((long) i * Native.POINTER_SIZE).getString(0, "UTF-8"));
        }
        assertNull(a.getPointer((long) argv.size() * Native.POINTER_SIZE), "NULL-terminated");
        Pointer e = arena.array(envp);
        assertEquals("LANG=C.UTF-8", e.getPointer(Native.POINTER_SIZE).getString(0, "UTF-8"));
        assertNull(e.getPointer(2L * Native.POINTER_SIZE));
        assertEquals(arena.size(), arena.used(), "sized exactly for what was placed");
        assertThrows(IndexOutOfBoundsException.class, () -> arena.string("x"), "no room beyond its size");
    }
}
