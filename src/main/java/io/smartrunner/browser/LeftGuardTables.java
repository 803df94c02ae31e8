package io.smartrunner.browser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nftables tables of {@link DevToolsGuard}s whose runner is gone for good. A table's comment
 * names its runner's browsers' directory; a runner killed with {@code kill -9} and its data dir
 * removed left its table for good (reviewer R8), refusing other users' connections to ports some
 * later service may use. A root runner's start deletes every such table and says so. A table
 * without that comment (an older runner's, or a path nft cannot hold) stays: its data dir's next
 * runner takes it over.
 */
final class LeftGuardTables {
    static final String PREFIX = "smart_runner_";
    private static final String COMMENT_TEXT = "smart-runner browsers in ";
    private static final Pattern COMMENT = Pattern.compile("comment \"" + Pattern.quote(COMMENT_TEXT) + "([^\"]+)\"");
    /** nft keeps a table's comment of at most 128 bytes. */
    private static final int MAX_COMMENT = 120;

    private LeftGuardTables() {
    }

    /** The table's comment naming {@code profilesDir} (made if missing), or "" where nft cannot hold the path. */
    static String comment(Path profilesDir) {
        if (profilesDir == null) {
            return "";
        }
        String dir = profilesDir.toAbsolutePath().normalize().toString();
        return COMMENT_TEXT.length() + dir.length() <= MAX_COMMENT && dir.matches("/[A-Za-z0-9/._+@:,=-]+")
                ? " { comment \"" + COMMENT_TEXT + dir + "\" ; }" : "";
    }

    /** Deletes the tables (but {@code own}) whose browsers' directory is gone; the lines to say. */
    static List<String> sweep(Nft nft, String own) {
        List<String> said = new ArrayList<>();
        String tables = nft.output("list", "tables").orElse("");
        for (String line : tables.lines().toList()) {
            String name = line.startsWith("table inet " + PREFIX) ? line.substring("table inet ".length()).strip() : null;
            if (name == null || name.equals(own)) {
                continue;
            }
            Matcher m = COMMENT.matcher(nft.output("list", "table", "inet", name).orElse(""));
            if (m.find() && !Files.exists(Path.of(m.group(1)))) {
                String failed = nft.run(null, "delete", "table", "inet", name);
                said.add(failed == null
                        ? "deleted nftables table inet " + name + ": its runner's browsers' directory " + m.group(1)
                                + " is gone (a runner killed and its data dir removed)"
                        : "could not delete nftables table inet " + name + ", left by a runner whose browsers' directory "
                                + m.group(1) + " is gone (nft: " + failed + ")");
            }
        }
        return said;
    }
}
