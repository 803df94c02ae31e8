package io.smartrunner.store;

import io.smartrunner.event.EventRecord;
import io.smartrunner.profile.ProfileState;
import java.util.List;

/** A profile's new row and the events that record the change (written together, events first in the local log). */
public record ProfileChange(ProfileState state, List<EventRecord> events) {
    public ProfileChange {
        events = List.copyOf(events);
    }
}
