package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** Writes config files into a temporary directory and loads them. JSON may use ' for ". */
abstract class ConfigTestSupport {
    @TempDir
    Path dir;

    Path file() {
        return dir.resolve("config.json");
    }

    Path write(String json) {
        try {
            return Files.writeString(file(), json.replace('\'', '"'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates {@code file} as a small executable shell script (directories included). */
    static Path executable(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "#!/bin/sh\nexit 0\n");
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RunnerConfig load(String json) {
        return load(json, Map.of());
    }

    RunnerConfig load(String json, Map<String, String> env) {
        return ConfigLoader.load(write(json), env);
    }

    String rejects(String json) {
        return rejects(json, Map.of());
    }

    String rejects(String json, Map<String, String> env) {
        write(json);
        return rejectsFile(file(), env);
    }

    /** Asserts the load fails with one line naming the file, and returns that line. */
    static String rejectsFile(Path file, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, env));
        String message = e.getMessage();
        assertTrue(message.startsWith(file + ": "), () -> "names the file first: " + message);
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "one line: " + message);
        assertFalse(message.contains("Source:") || message.contains("jackson"), () -> "no Jackson text: " + message);
        return message.substring(file.toString().length() + 2);
    }

    static void assertContains(String expectedPart, String message) {
        assertTrue(message.contains(expectedPart), () -> "expected <" + expectedPart + "> in <" + message + ">");
    }
}
