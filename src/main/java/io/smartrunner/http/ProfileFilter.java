package io.smartrunner.http;

import io.smartrunner.profile.ProfileState;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which profiles a page of {@code GET /api/profiles} shows: all the given conditions hold. A new
 * condition (e.g. the runner that holds a profile, in cluster mode) is one more field here and
 * one more known parameter. Immutable.
 *
 * @param pod   the profile's pod, exactly; null for any
 * @param state one of {@link #STATES}; null for any
 * @param text  part of the profile id, case-insensitive; null for any
 */
record ProfileFilter(String pod, String state, String text) {
    /** The names {@code state=} takes; see {@link #stateOf(ProfileState)}, plus "failing" (error streak above 0). */
    static final java.util.List<String> STATES = java.util.List.of("running", "paused", "needs-recovery", "idle", "failing");
    private static final Pattern ID_PART = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    static final ProfileFilter NONE = new ProfileFilter(null, null, null);

    /** The filter of a request ({@code pod}, {@code state}, {@code q}); 400 naming the parameter when one is bad. */
    static ProfileFilter of(Query query) {
        String state = query.get("state");
        if (state != null && !STATES.contains(state)) {
            throw new ApiError(400, "state: expected one of " + String.join(", ", STATES) + ", got \"" + Query.clip(state) + "\"");
        }
        String text = query.get("q");
        if (text != null && !ID_PART.matcher(text).matches()) {
            throw new ApiError(400, "q: expected part of a profile id (1 to 64 of letters, digits, '.', '_', '-'), got \""
                    + Query.clip(text) + "\"");
        }
        return new ProfileFilter(query.name("pod"), state, text == null ? null : text.toLowerCase(Locale.ROOT));
    }

    /**
     * The one state a profile is shown in: the first of paused, running, needs-recovery, idle that
     * holds (as the dashboard and the {@code smartrunner_profiles} gauge count), so the states add
     * up to the fleet.
     */
    static String stateOf(ProfileState p) {
        return p.paused() ? "paused" : p.running() ? "running" : p.needsRecovery() ? "needs-recovery" : "idle";
    }

    boolean matches(ProfileState p) {
        if (pod != null && !pod.equals(p.pod())) {
            return false;
        }
        if (state != null && !(state.equals("failing") ? p.errorStreak() > 0 : state.equals(stateOf(p)))) {
            return false;
        }
        return text == null || p.profileId().toLowerCase(Locale.ROOT).contains(text);
    }
}
