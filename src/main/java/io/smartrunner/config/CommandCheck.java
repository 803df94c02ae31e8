package io.smartrunner.config;

import io.smartrunner.process.SpawnCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks at load time that every program a profile would run exists and is executable, by the
 * rule a launch uses ({@link SpawnCheck}): relative to the session's working directory when the
 * name has a '/', else on PATH ({@code session.env.PATH} when given, else the runner's). Covers
 * each profile's effective {@code session.command} (top level, pod or profile override), the
 * command recovery steps and the command verification. A program named by a placeholder
 * ({@code {profileId}}) is only known per session and is not checked. Results are cached, so a
 * large fleet sharing one command costs a few file-system lookups.
 */
class CommandCheck {
    /** A command of the recovery block and where it is in the file. */
    private record RecoveryCommand(JsonCursor at, List<String> argv) {
    }

    static final String EXPECTED = "a program that exists and is executable (check the path, PATH, "
            + "session.workingDir and the file's exec bit)";

    /** Checks nothing (see {@link ConfigLoader#loadToInspect}). */
    static final CommandCheck NONE = new CommandCheck(null, List.of()) {
        @Override
        void profile(String profileId, SessionSettings session, JsonCursor commandAt) {
        }
    };

    private final String runnerPath;
    private final List<RecoveryCommand> recoveryCommands;
    private final Map<String, String> problems = new HashMap<>();

    private CommandCheck(String runnerPath, List<RecoveryCommand> recoveryCommands) {
        this.runnerPath = runnerPath;
        this.recoveryCommands = recoveryCommands;
    }

    /**
     * @param recoveryBlock the {@code recovery} block as written
     * @param recovery      its bound settings
     * @param runnerEnv     the runner's environment (its PATH)
     */
    static CommandCheck of(JsonCursor recoveryBlock, RecoverySettings recovery, Map<String, String> runnerEnv) {
        List<RecoveryCommand> commands = new ArrayList<>();
        JsonCursor steps = recoveryBlock.get("steps");
        if (steps.isPresent()) {
            List<JsonCursor> entries = steps.elements("an array of steps");
            for (int i = 0; i < recovery.steps().size(); i++) {
                if (recovery.steps().get(i) instanceof StepConfig.Command c) {
                    commands.add(new RecoveryCommand(entries.get(i).get("command"), c.argv()));
                }
            }
        }
        if (recovery.verify() instanceof VerifyConfig.Command v) {
            commands.add(new RecoveryCommand(recoveryBlock.get("verify").get("command"), v.argv()));
        }
        return new CommandCheck(runnerEnv.get("PATH"), commands);
    }

    /** Where a session block's effective command comes from: its own {@code command}, else its parent's. */
    static JsonCursor origin(JsonCursor sessionBlock, JsonCursor parentOrigin) {
        JsonCursor own = sessionBlock.get("command");
        return own.isPresent() ? own : parentOrigin;
    }

    /**
     * Fails with the JSON path of the first command of the profile that cannot be started.
     *
     * @param commandAt where the profile's effective {@code session.command} is written (or would be)
     */
    void profile(String profileId, SessionSettings session, JsonCursor commandAt) {
        check(profileId, session, commandAt, session.command());
        for (RecoveryCommand c : recoveryCommands) {
            check(profileId, session, c.at(), c.argv());
        }
    }

    private void check(String profileId, SessionSettings session, JsonCursor at, List<String> argv) {
        String program = argv.get(0);
        if (program.contains("{")) {
            return; // a placeholder: known per session only
        }
        String envPath = session.env().get("PATH");
        String path = envPath == null || envPath.contains("{") ? runnerPath : envPath;
        String key = program + '\0' + session.workingDir() + '\0' + path;
        String problem = problems.computeIfAbsent(key, k -> {
            String p = SpawnCheck.problem(program, session.workingDir(), path);
            return p == null ? "" : p;
        });
        if (!problem.isEmpty()) {
            String where = program.indexOf('/') >= 0
                    ? "working directory " + (session.workingDir() == null ? Path.of("").toAbsolutePath()
                    : session.workingDir())
                    : "PATH " + (path == null ? "unset" : JsonCursor.quote(path));
            throw at.fail(problem + " (" + (at.isPresent() ? "" : "the default command; ") + where + "; profile "
                    + profileId + ")", EXPECTED);
        }
    }
}
