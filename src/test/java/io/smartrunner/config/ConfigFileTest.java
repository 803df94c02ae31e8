package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Problems with the file itself and with its JSON syntax. */
class ConfigFileTest extends ConfigTestSupport {

    @Test
    void rejectsMissingFile() {
        String message = rejectsFile(dir.resolve("nope.json"), Map.of());
        assertContains("file not found", message);
        assertContains("expected a JSON config file", message);
    }

    /** Regression: a 400 MB file (or /dev/zero) was read whole and ended in OutOfMemoryError with a trace. */
    @Test
    void rejectsAFileLargerThanTheCapWithoutReadingItWhole() throws IOException {
        Path big = dir.resolve("big.json");
        try (java.io.RandomAccessFile sparse = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            sparse.setLength(400L << 20);
        }
        assertEquals("larger than 16 MiB, expected a config file of at most 16 MiB", rejectsFile(big, Map.of()));
        assertEquals("larger than 16 MiB, expected a config file of at most 16 MiB",
                rejectsFile(Path.of("/dev/zero"), Map.of()));
    }

    @Test
    void acceptsAFileOfExactlyTheCap() throws IOException {
        byte[] json = new byte[ConfigFileReader.MAX_BYTES];
        java.util.Arrays.fill(json, (byte) ' ');
        json[0] = '{';
        json[json.length - 1] = '}';
        Files.write(file(), json);
        assertEquals(RunnerSettings.DEFAULT_GLOBAL_CONCURRENCY, ConfigLoader.load(file(), Map.of()).runner()
                .globalConcurrency());
    }

    @Test
    void aFileNestedBeyondJacksonsLimitIsNamedWithoutItsApi() throws IOException {
        Files.writeString(file(), "{\"a\": " + "[".repeat(2000) + "]".repeat(2000) + "}");
        String message = rejectsFile(file(), Map.of());
        assertTrue(message.contains("beyond what a config holds (objects nested over 1000 deep"), message);
        assertFalse(message.contains("StreamReadConstraints"), message);
    }

    @Test
    void rejectsDirectory() {
        assertEquals("is a directory, expected a JSON config file", rejectsFile(dir, Map.of()));
    }

    @Test
    void anEmptyPathIsNamedAsSuch() {
        // -c '' is Path.of(""), the working directory: it said ": is a directory"
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Path.of(""), Map.of()));
        assertEquals("-c: an empty path, expected a JSON config file", e.getMessage());
    }

    @Test
    void rejectsUnreadablePath() throws IOException {
        // given a path that runs through a regular file (readable as root too, unlike chmod 000)
        Path notADirectory = Files.writeString(dir.resolve("plain.txt"), "x");

        String message = rejectsFile(notADirectory.resolve("config.json"), Map.of());

        assertEquals("cannot read (Not a directory), expected a readable JSON config file", message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  \n\t\n"})
    void rejectsEmptyFile(String content) {
        assertEquals("file is empty, expected a JSON object", rejects(content));
    }

    @Test
    void rejectsTruncatedJsonWithLineAndColumn() {
        String message = rejects("{\n  'recovery': {\n    'maxErrorStreak': 3");

        assertTrue(message.startsWith("line 3, column "), message);
        assertContains("unexpected end of input (truncated JSON?)", message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} x", "{}}", "{'pods': []} {'pods': []}", "{}\n\n  ]"})
    void rejectsTrailingGarbage(String json) {
        assertContains("unexpected content after the top-level JSON value (trailing garbage?), expected end of file",
                rejects(json));
    }

    @Test
    void reportsTrailingGarbagePosition() {
        assertTrue(rejects("{}\n\n  ]").startsWith("line 3, column 3: "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "'recovery'", "42", "true", "null"})
    void rejectsRootThatIsNotAnObject(String json) {
        String message = rejects(json);

        assertTrue(message.startsWith("$: "), message);
        assertContains("expected a JSON object at the top level", message);
    }

    @Test
    void rejectsMalformedJsonWithOneLineReason() {
        String message = rejects("{\n  recovery: {}\n}");

        assertTrue(message.startsWith("line 2, column 3: invalid JSON: unexpected character"), message);
        assertContains("expected valid JSON", message);
    }

    @Test
    void rejectsDuplicateKeyNamingKeyAndPath() {
        String message = rejects("{'recovery': {'maxErrorStreak': 3,\n 'maxErrorStreak': 4}}");

        assertTrue(message.startsWith("$.recovery.maxErrorStreak: duplicate key \"maxErrorStreak\" (line 2, column "),
                message);
        assertContains("expected each key at most once per object", message);
    }

    @Test
    void rejectsDuplicateKeyInsideArrays() {
        String message = rejects("{'pods': [{'name': 'a'}, {'name': 'b', 'profiles': [{'id': 'x', 'id': 'y'}]}]}");

        assertTrue(message.startsWith("$.pods[1].profiles[0].id: duplicate key \"id\""), message);
    }

    @Test
    void rejectsDuplicateTopLevelKey() {
        assertTrue(rejects("{'pods': [], 'pods': []}").startsWith("$.pods: duplicate key \"pods\""));
    }

    @Test
    void rejectsCommentsInPlainWords() {
        assertEquals("line 1, column 1: invalid JSON: comments are not allowed in JSON, expected valid JSON",
                rejects("// settings\n{}"));
    }

    @Test
    void leavesOutJacksonFeatureAdvice() {
        assertEquals("line 1, column 22: invalid JSON: non-standard token 'NaN', expected valid JSON",
                rejects("{'http': {'port': NaN}}"));
    }

    @Test
    void rejectsInvalidUtf8NamingTheByteAndWhereItIs() throws IOException {
        Files.write(file(), new byte[] {'{', (byte) 0xff, '}'});

        assertContains("line 1, column 2: byte 0xff is not UTF-8", rejectsFile(file(), Map.of()));
    }

    /** Reviewer R11: Jackson took an overlong form (C0 AF for '/') for a character. */
    @Test
    void anOverlongUtf8FormIsRefused() throws IOException {
        Files.write(file(), new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xc0, (byte) 0xaf, '"', '}'});

        assertContains("line 1, column 7: byte 0xc0 is not UTF-8", rejectsFile(file(), Map.of()));
    }

    /** Reviewer R9: Jackson named the byte after the bad one, a column too far ("middle byte 0x74" for d\u00e9ta's 0xe9). */
    @Test
    void aLatin1ByteInAStringIsNamedItselfNotTheByteAfterIt() throws IOException {
        byte[] latin1 = "{\"runner\": {\n  \"dataDir\": \"d\u00e9ta\"}}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(file(), latin1);

        String error = rejectsFile(file(), Map.of());

        assertContains("line 2, column 16: byte 0xe9 is not UTF-8 (a file saved as Latin-1 or Windows-1252?), expected a"
                + " config file in UTF-8", error);
    }
}
