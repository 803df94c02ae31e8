package io.smartrunner.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RedactorTest {
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
        assertEquals("key=*** end\n", r.redactTail(text, 12));
        assertEquals("xxkey=*** end\n", r.redactTail(text, 14));
        assertEquals("end\n", r.redactTail(text, 4));
    }

    @Test
    void aTailEndingInASecretsBeginningMasksIt() {
        Redactor r = new Redactor(Set.of("s3cr3t-token"));
        assertEquals("key=***", r.redactTail("key=s3cr3t-to", 100), "a child that has written half of it so far");
        assertEquals("key=s", r.redactTail("key=s", 100), "one character could be anything");
        assertEquals("done\n", r.redactTail("done\n", 100));
    }

    @Test
    void aTailNeverBeginsWithHalfACharacter() {
        Redactor r = new Redactor(Set.of());
        assertEquals("b", r.redactTail("\u00e9b", 2), "é is two bytes: the cut's half of it is dropped");
        assertEquals("\u00e9b", r.redactTail("a\u00e9b", 3));
    }
}
