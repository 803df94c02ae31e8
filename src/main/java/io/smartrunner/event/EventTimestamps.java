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
