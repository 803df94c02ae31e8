package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Reviewer R14: a refused "é" and a refused NUL were both shown as "?": the client could not see what was refused. */
class QueryClipTest {
    @Test
    void whatIsNotPrintableAsciiIsEscapedAndALongValueCut() {
        assertEquals("p-1", Query.clip("p-1"));
        assertEquals("caf\\u00e9 \\u0000", Query.clip("café \0"));
        assertEquals("x".repeat(80) + "...", Query.clip("x".repeat(81)));
        assertEquals("x".repeat(80), Query.clip("x".repeat(80)));
    }

    @Test
    void aRefusedFilterNamesTheCharactersItWasGiven() {
        ApiError refused = org.junit.jupiter.api.Assertions.assertThrows(ApiError.class,
                () -> ProfileFilter.of(new Query("q=%C3%A9", java.util.Set.of("q", "pod", "state"))));
        assertEquals("q: expected part of a profile id", refused.getMessage().substring(0, 32));
        org.junit.jupiter.api.Assertions.assertTrue(refused.getMessage().endsWith("got \"\\u00e9\""), refused.getMessage());
    }
}
