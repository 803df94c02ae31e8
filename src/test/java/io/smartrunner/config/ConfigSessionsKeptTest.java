package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConfigSessionsKeptTest extends ConfigTestSupport {
    @Test
    void aThousandByDefaultAndBoundEitherWay() {
        assertEquals(1000, load("{}").runner().sessionsKeptPerProfile());
        assertEquals(25, load("{'runner': {'sessionsKeptPerProfile': 25}}").runner().sessionsKeptPerProfile());
        assertEquals("$.runner.sessionsKeptPerProfile: 0 is not allowed, expected an integer from 1 to 1000000",
                rejects("{'runner': {'sessionsKeptPerProfile': 0}}"));
        assertEquals("$.runner.sessionsKeptPerProfile: 1000001 is too large, expected an integer from 1 to 1000000",
                rejects("{'runner': {'sessionsKeptPerProfile': 1000001}}"));
        assertEquals("$.runner.sessionsKeptPerProfile: \"all\" is a string, expected an integer from 1 to 1000000",
                rejects("{'runner': {'sessionsKeptPerProfile': 'all'}}"));
    }
}
