package io.smartrunner.config;

/** Reads {@code runner.fileMode}: an octal string such as "0600" or "0640". */
final class FileModeValue {
    static final String EXPECTED = "an octal file mode with rw for the owner, no execute bits and no write for"
            + " others, e.g. \"0600\" or \"0640\"";

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
        // another user who may write the runner's files (and so its directories) may forge its events,
        // rewrite its state or swap a file for a symlink it then writes through (reviewer R6); the
        // group is the runner's own (its files are made with its group), as the data dir's check allows
        if ((mode & 0111) != 0 || (mode & 0600) != 0600 || (mode & 0002) != 0) {
            String problem = (mode & 0111) != 0 ? " has execute bits" : (mode & 0600) != 0600
                    ? " lacks rw for the owner" : " lets others write";
            throw value.fail(value.shown() + problem, EXPECTED);
        }
        return mode;
    }
}
