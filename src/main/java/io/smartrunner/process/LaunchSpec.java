package io.smartrunner.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A fully substituted command line, ready to start. No shell is ever involved: each element of
 * {@code argv} reaches the child as exactly one argument.
 *
 * @param sessionId    the session the process belongs to (also in the environment as SR_SESSION_ID)
 * @param argv         program and arguments; argv[0] is looked up on PATH when it has no '/',
 *                     else resolved against {@code workingDir}
 * @param env          the child's own variables (SR_*, {@code session.env}), on top of what it inherits
 * @param workingDir   null = the runner's working directory
 * @param output       where stdout and stderr go
 * @param inherit      which of the runner's own variables the child inherits (see {@link ChildEnvironment})
 */
public record LaunchSpec(String sessionId, List<String> argv, Map<String, String> env, Path workingDir,
                         OutputFiles output, EnvInheritance inherit) {
    public LaunchSpec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    /** A child that inherits only the safe base of the runner's environment. */
    public LaunchSpec(String sessionId, List<String> argv, Map<String, String> env, Path workingDir,
                      OutputFiles output) {
        this(sessionId, argv, env, workingDir, output, EnvInheritance.safeBase());
    }
}
