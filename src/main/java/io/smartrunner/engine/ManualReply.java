package io.smartrunner.engine;

import io.smartrunner.profile.ProfileState;

/**
 * The loop's answer to a {@link ManualRequest}.
 *
 * @param state   the profile's state after the request (null when the profile is unknown)
 * @param refusal why nothing was done (the profile is unknown, its state forbids it, or its event
 *                could not be written), else null
 */
public record ManualReply(Outcome outcome, ProfileState state, String refusal) {
    /**
     * UNAVAILABLE: the change could not be recorded (event log or store not writable) and was not made.
     * FAILED: handling it threw (an internal error, see {@link LoopGuard}); {@code state} says what holds now.
     */
    public enum Outcome { DONE, UNKNOWN_PROFILE, REFUSED, UNAVAILABLE, FAILED }

    static ManualReply done(ProfileState state) {
        return new ManualReply(Outcome.DONE, state, null);
    }

    static ManualReply unknown(String profileId) {
        return new ManualReply(Outcome.UNKNOWN_PROFILE, null, "no profile " + profileId);
    }

    static ManualReply refused(ProfileState state, String why) {
        return new ManualReply(Outcome.REFUSED, state, why);
    }

    static ManualReply failed(ProfileState state, String why) {
        return new ManualReply(Outcome.FAILED, state, why);
    }

    static ManualReply unavailable(ProfileState state, String why) {
        return new ManualReply(Outcome.UNAVAILABLE, state, "not done, the change cannot be recorded: " + why);
    }
}
