package io.smartrunner;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Which build this is: the release, and the commit and time {@code bin/build-info} wrote into the
 * jar at its build. Every build said "0.1.0" alone, so an operator upgrading a fleet could not tell
 * which machines ran the new jar, nor an event log which build wrote it.
 */
public final class BuildInfo {
    public static final String RELEASE = "0.1.0";
    private static final Stamp STAMP = Stamp.read(BuildInfo.class.getResourceAsStream("build.properties"));

    private BuildInfo() {
    }

    /** E.g. {@code 0.1.0+3582234abcde}, {@code 0.1.0+3582234abcde.changes}; {@code 0.1.0} when the commit is unknown. */
    public static String version() {
        return STAMP.version();
    }

    /** What {@code --version} and the start line say, e.g. {@code 0.1.0+3582234abcde (built 2026-12-07T10:29:00Z)}. */
    public static String describe() {
        return STAMP.describe();
    }

    /** What {@code bin/build-info} wrote: the commit (null when unknown), whether tracked files had changes, when. */
    record Stamp(String commit, boolean changes, String built) {
        static Stamp read(InputStream in) {
            Properties p = new Properties();
            if (in != null) {
                try (in) {
                    p.load(in);
                } catch (IOException | IllegalArgumentException e) {
                    p.clear(); // an unreadable stamp says nothing: the release alone
                }
            }
            String commit = p.getProperty("commit", "");
            return new Stamp(commit.matches("[0-9a-f]{4,40}") ? commit : null, "true".equals(p.getProperty("changes")),
                    p.getProperty("built"));
        }

        String version() {
            return commit == null ? RELEASE : RELEASE + "+" + commit + (changes ? ".changes" : "");
        }

        String describe() {
            String when = built == null ? "" : ", built " + built;
            return commit == null ? RELEASE + " (commit unknown: built outside a git checkout" + when + ")"
                    : version() + " (commit " + commit + (changes ? " with uncommitted changes" : "") + when + ")";
        }
    }
}
