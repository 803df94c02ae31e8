package io.smartrunner.process;

/** Names of the environment variables session processes carry, by which they are recognised. */
final class SessionEnv {
    static final String SESSION_ID = "SR_SESSION_ID";
    static final String PROFILE_ID = "SR_PROFILE_ID";
    static final String POD = "SR_POD";
    static final String RUNNER_ID = ProcessTable.RUNNER_ID_ENV;

    private SessionEnv() {
    }
}
