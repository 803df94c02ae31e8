package io.smartrunner.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class RedactorTest {
    /** A text's last n bytes, decoded, as a log file's tail reads them (all of it when shorter). */
    private static IntFunction<String> tailOf(byte[] bytes) {
        return n -> new String(bytes, Math.max(0, bytes.length - n), Math.min(n, bytes.length), StandardCharsets.UTF_8);
    }

    private static IntFunction<String> tailOf(String text) {
        return tailOf(text.getBytes(StandardCharsets.UTF_8));
    }
    @Test
    void masksSecretValuesAndDevToolsWebSocketUrls() {
        Redactor r = new Redactor(Set.of("s3cr3t-token", "on"));
        assertEquals("Bearer *** sent", r.redact("Bearer s3cr3t-token sent"));
        assertEquals("turn on", r.redact("turn on"), "values shorter than 4 are left alone");
        assertEquals("connect ws://***/devtools/***: timed out",
                r.redact("connect ws://127.0.0.1:40123/devtools/browser/8f1c-22aa: timed out"));
        assertEquals("{\"ws\":\"ws://***/devtools/***\"}",
                r.redact("{\"ws\":\"ws://127.0.0.1:9222/devtools/page/ABC\"}"));
    }

    @Test
    void aTailCutThroughASecretMasksWhatTheCutLeavesOfIt() {
        Redactor r = new Redactor(Set.of("s3cr3t-token"));
        String text = "x".repeat(r.reachBytes()) + "key=s3cr3t-token end\n";
        // the text's last 12 bytes begin inside the secret ("en end\n" and before): read with the reach,
        // redacted, then cut, they are the redacted text's last 12
        assertEquals("key=*** end\n", r.redactTail(tailOf(text), 12));
        assertEquals("xxkey=*** end\n", r.redactTail(tailOf(text), 14));
        assertEquals("end\n", r.redactTail(tailOf(text), 4));
    }

    @Test
    void aTailEndingInASecretsBeginningMasksIt() {
        Redactor r = new Redactor(Set.of("s3cr3t-token"));
        assertEquals("key=***", r.redactTail(tailOf("key=s3cr3t-to"), 100), "a child that has written half of it so far");
        assertEquals("key=s", r.redactTail(tailOf("key=s"), 100), "one character could be anything");
        assertEquals("done\n", r.redactTail(tailOf("done\n"), 100));
    }

    @Test
    void aTailNeverBeginsWithHalfACharacter() {
        Redactor r = new Redactor(Set.of());
        assertEquals("b", r.redactTail(tailOf("\u00e9b"), 2), "é is two bytes: the cut's half of it is dropped");
        assertEquals("\u00e9b", r.redactTail(tailOf("a\u00e9b"), 3));
    }

    /**
     * Reviewer R16: a token cut by the read's start, with masked secrets after it (each "***" in
     * place of many bytes), came into view but for its first characters; a local user guessed the
     * rest. Every cut of such a log, invalid bytes and escapes in it, shows no piece of the token.
     */
    @Test
    void noCutOfALogFullOfMaskedSecretsShowsAPieceOfOne() {
        String token = "eb282eb4b6c005796f46db92e9a860b0d495a54a71c18187beed6b5b287c7f84";
        String other = "QQQQ-zzzz-QQQQ-zzzz-QQQQ";
        Redactor r = new Redactor(Set.of(token, other));
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        for (int session = 0; session < 40; session++) {
            log.writeBytes(("token: " + token + "\nkey " + other + " and " + other + "\n").getBytes(StandardCharsets.UTF_8));
            log.writeBytes(new byte[] {0x1b, '[', '3', '1', 'm', (byte) 0xff, (byte) 0xfe, (byte) 0xc3, 0x28, '\n'});
        }
        byte[] bytes = log.toByteArray();
        for (int shown = 1; shown <= bytes.length + 10; shown++) {
            String out = r.redactTail(tailOf(bytes), shown);
            for (int i = 0; i + 5 <= token.length(); i++) {
                assertFalse(out.contains(token.substring(i, i + 5)), "bytes=" + shown + ": " + out);
            }
            assertFalse(out.contains("QQQQ-z") || out.contains("zzzz-Q"), "bytes=" + shown + ": " + out);
        }
        assertTrue(r.redactTail(tailOf(bytes), 2_000).length() > 1_000, "as much as asked for, masks shown");
    }

    @Test
    void aTailOfNothingButMasksShowsLessRatherThanTheReadsStart() {
        String secret = "s".repeat(4_000);
        Redactor r = new Redactor(Set.of(secret));
        String text = ("a" + secret).repeat(10_000); // 40 MB whose masks leave 4 bytes of each 4 001
        String out = r.redactTail(n -> text.substring(Math.max(0, text.length() - n)), 100_000);
        assertFalse(out.contains("ss"), out.substring(0, Math.min(200, out.length())));
    }
}
