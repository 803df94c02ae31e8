package io.smartrunner.engine;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.store.SessionRecord;

/**
 * A session whose start was decided; it is launched once its start event is in the log (its
 * command is expanded then, with the browser endpoint of that moment).
 */
record StagedLaunch(ProfileConfig profile, SessionRecord record) {
}
