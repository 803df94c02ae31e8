package io.smartrunner.store;

import java.util.function.Consumer;

/**
 * Whether opening the fleet's PostgreSQL store may upgrade a schema that runners of an older release
 * use, and where the upgrade is said. An upgrade is one way (those runners cannot start on it
 * again), so only a runner's start takes that step; a command that reads or controls the fleet
 * refuses an older schema (a new, empty database it may set up). Before session 42 every command
 * upgraded it, silently: an operator who merely looked with the new release's {@code status} took
 * the step for the whole fleet (reviewer R4).
 *
 * @param allowed whether an older schema is upgraded (else refused)
 * @param say     told each line of an upgrade: its start, a lock it waits for, its end
 */
public record SchemaUpgrade(boolean allowed, Consumer<String> say) {
    /** For the commands: an older schema is refused, nothing changed. */
    public static final SchemaUpgrade REFUSED = new SchemaUpgrade(false, line -> { });

    /** For a runner's start: an older schema is upgraded, each step said to {@code say}. */
    public static SchemaUpgrade by(Consumer<String> say) {
        return new SchemaUpgrade(true, say);
    }
}
