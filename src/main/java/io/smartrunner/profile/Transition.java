package io.smartrunner.profile;

import io.smartrunner.event.EventRecord;
import java.util.List;

/** The result of applying a rule: the profile's new state and the events that record it. */
public record Transition(ProfileState state, List<EventRecord> events) {
    public Transition {
        events = List.copyOf(events);
    }

    public static Transition unchanged(ProfileState state) {
        return new Transition(state, List.of());
    }

    public boolean changed(ProfileState before) {
        return !state.equals(before) || !events.isEmpty();
    }
}
