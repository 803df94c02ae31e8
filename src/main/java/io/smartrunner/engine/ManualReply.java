package io.smartrunner.engine;

import io.smartrunner.profile.ProfileState;

/**
 * The loop's answer to a {@link ManualRequest}.
 *
 * @param state   the profile's state after the request (null when the profile is unknown)
 * @param refusal why nothing was done (the profile is unknown, or its state forbids it), else null
 */
public record ManualReply(Outcome outcome, ProfileState state, String refusal) {
    public enum Outcome { DONE, UNKNOWN_PROFILE, REFUSED }

    static ManualReply done(ProfileState state) {
        return new ManualReply(Outcome.DONE, state, null);
    }

    static ManualReply unknown(String profileId) {
        return new ManualReply(Outcome.UNKNOWN_PROFILE, null, "no profile " + profileId);
    }

    static ManualReply refused(ProfileState state, String why) {
        return new ManualReply(Outcome.REFUSED, state, why);
    }
}
