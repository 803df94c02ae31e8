package io.smartrunner.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Horspool search finds exactly what a byte-by-byte search finds, within the given range only. */
class ByteNeedleTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean naive(byte[] buf, int off, int len, byte[] needle) {
        outer:
        for (int i = off; i <= off + len - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buf[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void findsTheNeedleAtTheEdgesOfItsRangeAndNotBeyondThem() {
        byte[] line = b("xx{\"profileId\":\"p1\"}yy");
        ByteNeedle needle = new ByteNeedle(b("\"profileId\":\"p1\""));
        assertEquals(true, needle.in(line, 0, line.length));
        assertEquals(true, needle.in(line, 3, line.length - 6)); // exactly the needle and nothing around it
        assertEquals(false, needle.in(line, 4, line.length - 6), "its first byte outside the range");
        assertEquals(false, needle.in(line, 3, line.length - 7), "its last byte outside the range");
        assertEquals(false, new ByteNeedle(b("\"profileId\":\"p10\"")).in(line, 0, line.length), "a longer id");
        assertEquals(false, needle.in(line, 0, 3), "a range shorter than the needle");
    }

    @Test
    void agreesWithAByteByByteSearchOnRandomTextOfFewBytes() {
        Random random = new Random(47);
        byte[] alphabet = b("\"p:1é0a");
        for (int round = 0; round < 20_000; round++) {
            byte[] text = new byte[random.nextInt(40)];
            for (int i = 0; i < text.length; i++) {
                text[i] = alphabet[random.nextInt(alphabet.length)];
            }
            byte[] needle = new byte[1 + random.nextInt(5)];
            for (int i = 0; i < needle.length; i++) {
                needle[i] = alphabet[random.nextInt(alphabet.length)];
            }
            int off = text.length == 0 ? 0 : random.nextInt(text.length);
            int len = random.nextInt(text.length - off + 1);
            assertEquals(naive(text, off, len, needle), new ByteNeedle(needle).in(text, off, len),
                    new String(text, StandardCharsets.ISO_8859_1) + " / " + new String(needle, StandardCharsets.ISO_8859_1));
        }
    }
}
