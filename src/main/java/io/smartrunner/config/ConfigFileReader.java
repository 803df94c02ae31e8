package io.smartrunner.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the config file into a Jackson tree, turning every I/O and syntax problem into one line. */
final class ConfigFileReader {
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    /**
     * The largest config read: 16 MiB is four times a 200 000-profile fleet's file (about 4 MB),
     * and the JSON tree costs several times its bytes in heap, so a file this size still loads in
     * a small default heap. Anything bigger is not a config (a log, an image, {@code /dev/zero}).
     */
    static final int MAX_BYTES = 16 << 20;

    private ConfigFileReader() {
    }

    /** @param label how the file is named in messages */
    static JsonNode read(Path file, String label) {
        return parse(readBytes(file, label), label);
    }

    private static byte[] readBytes(Path file, String label) {
        if (file.toString().isEmpty()) {
            // Path.of("") is the working directory: "': is a directory" named nothing
            throw new ConfigException("-c: an empty path, expected a JSON config file");
        }
        if (Files.isDirectory(file)) {
            throw new ConfigException(label + ": is a directory, expected a JSON config file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            // streamed and bounded: never the whole of a file that may have no end
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                long mib = MAX_BYTES >> 20;
                throw new ConfigException(label + ": larger than " + mib + " MiB, expected a config file of at most "
                        + mib + " MiB");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new ConfigException(label + ": file not found (looked for " + file.toAbsolutePath()
                    + "), expected a JSON config file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(label + ": permission denied, expected a readable JSON config file");
        } catch (FileSystemException e) {
            throw new ConfigException(label + ": cannot read (" + oneLine(e.getReason())
                    + "), expected a readable JSON config file");
        } catch (IOException e) {
            throw new ConfigException(label + ": cannot read (" + oneLine(e.getMessage())
                    + "), expected a readable JSON config file");
        }
    }

    private static JsonNode parse(byte[] bytes, String label) {
        if (!ascii(bytes)) {
            // before Jackson, which names the byte after a bad one (reviewer R9) and lets an overlong form
            // through (C0 AF for '/', reviewer R11): the JDK's decoder does neither
            ConfigException notUtf8 = notUtf8(label, bytes);
            if (notUtf8 != null) {
                throw notUtf8;
            }
        }
        try (JsonParser parser = MAPPER.createParser(bytes)) {
            JsonNode root = readValue(parser, label);
            if (root == null || root.isMissingNode()) {
                throw new ConfigException(label + ": file is empty, expected a JSON object");
            }
            rejectTrailingContent(parser, label);
            return root;
        } catch (IOException e) {
            // the input is in memory: only an undecodable encoding (CharConversionException) gets here
            throw new ConfigException(label + ": cannot read (" + oneLine(e.getMessage()) + ")");
        }
    }

    private static JsonNode readValue(JsonParser parser, String label) throws IOException {
        try {
            return MAPPER.readTree(parser);
        } catch (JsonEOFException e) {
            throw syntaxError(label, e, "unexpected end of input (truncated JSON?), expected a complete JSON object");
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            // Jackson's own words name its API ("StreamReadConstraints.getMaxNestingDepth()"), not the file
            throw syntaxError(label, e, "beyond what a config holds (objects nested over 1000 deep, a string over"
                    + " 20 MB or a number over 1000 digits), expected a config file");
        } catch (JsonProcessingException e) {
            // STRICT_DUPLICATE_DETECTION has no exception type of its own
            if (e.getOriginalMessage().startsWith("Duplicate field")) {
                throw duplicateKey(label, e);
            }
            throw syntaxError(label, e, "invalid JSON: " + describe(e) + ", expected valid JSON");
        }
    }

    private static boolean ascii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Names the first byte that is not UTF-8 and where it is: Jackson names the byte after it, at
     * the column after it ("invalid UTF-8 middle byte 0x74" for the 0xe9 of a Latin-1 "d\u00e9ta",
     * reviewer R9).
     *
     * @return null when the bytes are UTF-8
     */
    static ConfigException notUtf8(String label, byte[] bytes) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.charset.CoderResult result = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .decode(in, java.nio.CharBuffer.allocate(bytes.length), true);
        if (!result.isError()) {
            return null;
        }
        int at = in.position();
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = new String(bytes, lineStart, at - lineStart, java.nio.charset.StandardCharsets.UTF_8).length() + 1;
        return new ConfigException(label + ": line " + line + ", column " + column + ": byte "
                + String.format("0x%02x", bytes[at] & 0xff) + " is not UTF-8 (a file saved as Latin-1 or"
                + " Windows-1252?), expected a config file in UTF-8");
    }

    private static void rejectTrailingContent(JsonParser parser, String label) throws IOException {
        try {
            if (parser.nextToken() == null) {
                return;
            }
        } catch (JsonProcessingException e) {
            // whatever follows the value, malformed or not, is the problem to report
        }
        JsonLocation at = parser.currentTokenLocation();
        throw new ConfigException(label + ": line " + at.getLineNr() + ", column " + at.getColumnNr()
                + ": unexpected content after the top-level JSON value (trailing garbage?), expected end of file");
    }

    private static ConfigException duplicateKey(String label, JsonProcessingException e) {
        String path = "$";
        String key = "?";
        if (e.getProcessor() instanceof JsonParser parser) {
            path = jsonPath(parser.getParsingContext());
            key = parser.getParsingContext().getCurrentName();
        }
        JsonLocation at = e.getLocation();
        return new ConfigException(label + ": " + path + ": duplicate key " + JsonCursor.quote(key)
                + " (line " + at.getLineNr()
                + ", column " + at.getColumnNr() + "), expected each key at most once per object");
    }

    private static String jsonPath(JsonStreamContext context) {
        if (context == null || context.inRoot()) {
            return "$";
        }
        String parent = jsonPath(context.getParent());
        if (context.inArray()) {
            return parent + "[" + context.getCurrentIndex() + "]";
        }
        return JsonCursor.childPath(parent, context.getCurrentName());
    }

    private static ConfigException syntaxError(String label, JsonProcessingException e, String what) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
        return new ConfigException(label + ": " + where + what);
    }

    /** Jackson's reason without location suffixes or parser-feature advice, first letter lower-cased. */
    private static String describe(JsonProcessingException e) {
        String reason = oneLine(e.getOriginalMessage());
        if (reason.contains("ALLOW_COMMENTS")) {
            return "comments are not allowed in JSON";
        }
        reason = reason.replaceAll(": enable `[^`]*` to allow", "");
        int marker = reason.indexOf(" (start marker at");
        if (marker > 0) {
            reason = reason.substring(0, marker);
        }
        return reason.isEmpty() ? "malformed input" : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }

    static String oneLine(String text) {
        if (text == null) {
            return "unknown reason";
        }
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).strip();
    }
}
