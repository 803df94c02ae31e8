package io.smartrunner.config;

/** Reads {@code runner.fileMode}: an octal string such as "0600" or "0640". */
final class FileModeValue {
    static final String EXPECTED = "an octal file mode with rw for the owner and no execute bits, "
            + "e.g. \"0600\" or \"0640\"";

    private FileModeValue() {
    }

    static int read(JsonCursor value, int fallback) {
        if (!value.isPresent()) {
            return fallback;
        }
        if (!value.isText()) {
            throw value.typeError(EXPECTED + " (a string: JSON numbers are decimal)");
        }
        String text = value.text(null);
        if (!text.matches("0?[0-7]{3}")) {
            throw value.fail(value.shown() + " is not an octal file mode", EXPECTED);
        }
        int mode = Integer.parseInt(text, 8);
        if ((mode & 0111) != 0 || (mode & 0600) != 0600) {
            String problem = (mode & 0111) != 0 ? " has execute bits" : " lacks rw for the owner";
            throw value.fail(value.shown() + problem, EXPECTED);
        }
        return mode;
    }
}
