package io.smartrunner.event;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * An event's {@code ts}: UTC, always three fraction digits ("2026-12-02T09:30:00.123Z"), so lines
 * sort and compare as text. Every event is stamped, two or more per session: the civil date is
 * computed directly (years 0–9999), which costs a fraction of {@link DateTimeFormatter#format}; other
 * years fall back to the formatter, which defines the format.
 */
public final class EventTimestamps {
    static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in epoch seconds. */
    private static final long MIN_SECOND = -62_167_219_200L;
    private static final long MAX_SECOND = 253_402_300_800L;

    private EventTimestamps() {
    }

    public static String format(Instant ts) {
        long second = ts.getEpochSecond();
        if (second < MIN_SECOND || second >= MAX_SECOND) {
            return FORMAT.format(ts);
        }
        return text(second, ts.getNano() / 1_000_000, 3);
    }

    /**
     * Exactly {@link Instant#toString()}: fraction digits in groups of three, as many as the instant
     * needs (none, 3, 6 or 9), at a fraction of its cost (the API's state objects carry four
     * instants each, 10 000 profiles in a listing); other years than 0–9999 fall back to it.
     */
    public static String iso(Instant ts) {
        long second = ts.getEpochSecond();
        if (second < MIN_SECOND || second >= MAX_SECOND) {
            return ts.toString();
        }
        int nano = ts.getNano();
        if (nano == 0) {
            return text(second, 0, 0);
        } else if (nano % 1_000_000 == 0) {
            return text(second, nano / 1_000_000, 3);
        } else if (nano % 1_000 == 0) {
            return text(second, nano / 1_000, 6);
        }
        return text(second, nano, 9);
    }

    /**
     * Exactly {@link Instant#parse}: reading the log back parses every line's {@code ts}, and the
     * formatter's parse was most of a {@code report}'s time (a 200 MB log of 10 000 profiles: 5.1 s
     * of CPU, 3.0 s with this). The runner's own shape,
     * "2026-12-02T09:30:00.123Z" (and without the fraction, or with 6 or 9 of its digits), is computed
     * directly; anything else (an offset, a leap second, another year's width, a date that does not
     * exist) goes to {@link Instant#parse}, which defines the format and its errors.
     *
     * @throws java.time.format.DateTimeParseException as {@link Instant#parse} would
     */
    public static Instant parse(String text) {
        int len = text.length();
        int fractionDigits = len - 21;
        boolean shaped = len >= 20 && text.charAt(len - 1) == 'Z' && text.charAt(4) == '-' && text.charAt(7) == '-'
                && text.charAt(10) == 'T' && text.charAt(13) == ':' && text.charAt(16) == ':'
                && (len == 20 || (text.charAt(19) == '.' && fractionDigits >= 1 && fractionDigits <= 9));
        if (shaped) {
            int year = number(text, 0, 4);
            int month = number(text, 5, 2);
            int day = number(text, 8, 2);
            int hour = number(text, 11, 2);
            int minute = number(text, 14, 2);
            int second = number(text, 17, 2);
            int fraction = len == 20 ? 0 : number(text, 20, fractionDigits);
            if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour >= 0
                    && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60 && fraction >= 0) {
                int nano = fraction;
                for (int i = fractionDigits; i < 9 && len > 20; i++) {
                    nano *= 10;
                }
                return Instant.ofEpochSecond(epochDay(year, month, day) * 86_400 + hour * 3_600L + minute * 60L
                        + second, nano);
            }
        }
        return Instant.parse(text);
    }

    /** The decimal number in {@code text[at, at + width)}, or -1 if a character there is not an ASCII digit. */
    private static int number(String text, int at, int width) {
        int value = 0;
        for (int i = at; i < at + width; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static int daysIn(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian civil date (the inverse of {@link #text}'s). */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    /** yyyy-MM-ddTHH:mm:ss, then '.' and {@code fraction} in {@code fractionDigits} digits unless 0 of them, then Z. */
    private static String text(long second, int fraction, int fractionDigits) {
        long days = Math.floorDiv(second, 86_400);
        int secondOfDay = (int) Math.floorMod(second, 86_400);
        // days since 1970-01-01 to the proleptic Gregorian civil date (eras of 400 years from 0000-03-01)
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
        char[] out = new char[fractionDigits == 0 ? 20 : 21 + fractionDigits];
        digits(out, 0, year, 4);
        out[4] = '-';
        digits(out, 5, month, 2);
        out[7] = '-';
        digits(out, 8, day, 2);
        out[10] = 'T';
        digits(out, 11, secondOfDay / 3600, 2);
        out[13] = ':';
        digits(out, 14, secondOfDay / 60 % 60, 2);
        out[16] = ':';
        digits(out, 17, secondOfDay % 60, 2);
        if (fractionDigits > 0) {
            out[19] = '.';
            digits(out, 20, fraction, fractionDigits);
        }
        out[out.length - 1] = 'Z';
        return new String(out);
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
