package io.smartrunner.profile;

import io.smartrunner.config.ExitMeaning;
import java.util.Map;

/**
 * The blame a failed session gets from its reason and {@code session.exitCodes} (DESIGN §2b),
 * before the pod's breaker has its say: a non-zero exit mapped to {@code retry-later} or
 * {@code config} is the infrastructure's; one mapped to {@code profile} or unmapped is the
 * profile's. Pure.
 */
public final class ExitCodeBlame {
    private ExitCodeBlame() {
    }

    /** @param exitCodes the profile's effective {@code session.exitCodes} */
    public static Blame of(SessionResult failed, Map<Integer, ExitMeaning> exitCodes) {
        Blame byReason = Blame.of(failed);
        if (failed.reason() != FailureReason.EXIT || failed.exitCode() == null) {
            return byReason;
        }
        ExitMeaning meaning = exitCodes.get(failed.exitCode());
        if (meaning == null) {
            return byReason;
        }
        FailureClass c = meaning == ExitMeaning.PROFILE ? FailureClass.PROFILE : FailureClass.INFRASTRUCTURE;
        return new Blame(c, meaning.wireName(), null);
    }
}
