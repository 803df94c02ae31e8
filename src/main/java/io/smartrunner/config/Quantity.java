package io.smartrunner.config;

/** What an integer setting measures, for "expected ..." messages people can read. */
enum Quantity {
    COUNT, MILLIS, BYTES;

    private static final long[] MS_FACTORS = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    private static final String[] MS_UNITS = {"days", "hours", "min", "s"};
    private static final String[] BYTE_UNITS = {"TiB", "GiB", "MiB", "KiB"};

    /** E.g. "milliseconds from 1 to 2592000000 (30 days)". */
    String range(long min, long max) {
        return switch (this) {
            case COUNT -> "an integer from " + min + " to " + max;
            case MILLIS -> "milliseconds from " + withUnit(min) + " to " + withUnit(max);
            case BYTES -> "a size in bytes from " + withUnit(min) + " to " + withUnit(max);
        };
    }

    private String withUnit(long value) {
        String unit = this == MILLIS ? millis(value) : bytes(value);
        return unit == null ? Long.toString(value) : value + " (" + unit + ")";
    }

    private static String millis(long value) {
        for (int i = 0; i < MS_FACTORS.length; i++) {
            if (value >= MS_FACTORS[i] && value % MS_FACTORS[i] == 0) {
                return value / MS_FACTORS[i] + " " + MS_UNITS[i];
            }
        }
        return null;
    }

    private static String bytes(long value) {
        for (int i = 0; i < BYTE_UNITS.length; i++) {
            long factor = 1L << (10 * (BYTE_UNITS.length - i));
            if (value >= factor && value % factor == 0) {
                return value / factor + " " + BYTE_UNITS[i];
            }
        }
        return null;
    }
}
