package io.smartrunner.engine;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.event.Redactor;
import io.smartrunner.process.LaunchSpec;
import io.smartrunner.process.OutputFiles;
import io.smartrunner.process.ProcessTable;
import io.smartrunner.session.SessionContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Turns a profile's session settings into a concrete {@link LaunchSpec} for one session. */
final class SessionLaunch {
    private static final int SUMMARY_MAX_CHARS = 300;
    private final Path logDir;
    private final String runnerId;
    private final Redactor redactor;

    SessionLaunch(Path logDir, String runnerId, Redactor redactor) {
        this.logDir = logDir;
        this.runnerId = runnerId;
        this.redactor = redactor;
    }

    /** @param cdpUrl the profile's browser DevTools WebSocket URL, or null without a browser */
    LaunchSpec spec(ProfileConfig profile, String sessionId, String cdpUrl) {
        SessionSettings s = profile.session();
        SessionContext ctx = new SessionContext(profile.id(), profile.pod(), sessionId, profile.homepage(), cdpUrl);
        Map<String, String> env = new java.util.LinkedHashMap<>(ctx.environment(s.env()));
        env.put(ProcessTable.RUNNER_ID_ENV, runnerId);
        return new LaunchSpec(sessionId, ctx.expand(s.command()), env, s.workingDir(),
                OutputFiles.forProfile(logDir, profile.id(), s.logMaxBytes(), s.logKeepFiles()));
    }

    /** The command line for the start event: redacted and bounded. */
    String summary(List<String> argv) {
        String joined = redactor.redact(String.join(" ", argv));
        return joined.length() <= SUMMARY_MAX_CHARS ? joined : joined.substring(0, SUMMARY_MAX_CHARS) + "…";
    }
}
