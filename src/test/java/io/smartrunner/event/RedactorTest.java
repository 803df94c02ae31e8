package io.smartrunner.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
