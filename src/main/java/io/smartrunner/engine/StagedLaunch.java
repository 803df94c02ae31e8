package io.smartrunner.engine;

import io.smartrunner.process.LaunchSpec;
import io.smartrunner.store.SessionRecord;

/** A session whose start was decided; it is launched once its start event is in the log. */
record StagedLaunch(LaunchSpec spec, SessionRecord record) {
}
