package io.smartrunner.engine;

import io.smartrunner.profile.ProfileState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Every configured profile's state for readers on other threads (the API, the dashboard), without
 * entering the loop: a read is a walk over the slots, not a message the loop must answer between
 * its sessions. The loop stays the only writer: it sets each slot's (volatile) state as before,
 * and publishes the list of slots again after it adds or drops one ({@link #publish}). Each state
 * read is the profile's latest; a read of many profiles is not one instant's cut (a profile may
 * change while the others are read), which an API page or a count does not need. Thread-safe.
 */
public final class ProfileBoard {
    private volatile List<ProfileSlot> slots = List.of();
    /** How many times the slots were published: the loop's parts that count per pod count again when it moves. */
    private int publications;

    /** Loop thread: the slots, in configuration order, after start-up, a reload or a drop. */
    void publish(Collection<ProfileSlot> current) {
        slots = List.copyOf(current);
        publications++;
    }

    /** Loop thread: changes whenever a profile is added, removed, dropped or moved to another pod. */
    int publications() {
        return publications;
    }

    /** Every profile's latest state, in configuration order (the loop's order). */
    public List<ProfileState> states() {
        List<ProfileSlot> now = slots;
        List<ProfileState> states = new ArrayList<>(now.size());
        for (ProfileSlot slot : now) {
            states.add(slot.state);
        }
        return states;
    }
}
