package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.process.JnaBoot;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code smart-runner <command>}: exit 0 ok, 1 runtime failure, 2 bad usage or bad config. */
// scope INHERIT: every subcommand gets -h/--help (and -V/--version) too, so `run --help` prints its usage
@Command(name = "smart-runner", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = Main.Version.class, description = Main.DESCRIPTION,
        subcommands = {RunCommand.class, StatusCommand.class, EventsCommand.class, SimulateCommand.class,
                TrialCommand.class, ReportCommand.class, ControlCommands.Pause.class, ControlCommands.Unpause.class,
                ControlCommands.Reset.class, ControlCommands.RunNow.class, ControlCommands.Reload.class,
                RunnersCommand.class, ForgetCommand.class, ImportStateCommand.class,
                DemoSessionCommand.class, RebuildStateCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    static final String VERSION = "smart-runner " + io.smartrunner.BuildInfo.describe();
    static final String DESCRIPTION =
            "Supervises fleets of automation workers: sessions, failure detection, error streaks, pauses.";
    private static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";
    /** How long the exit waits for a thread to leave its native wait ({@link NativeWaitsAtExit}; it takes microseconds). */
    private static final long EXIT_WAIT_MS = 100;

    public static void main(String[] args) {
        // vfork launches a child without exec'ing the JDK's spawn helper first: on Linux it is
        // the cheapest way to start a process from Java 17 (measured in bench/crash-loop.sh).
        if (System.getProperty(LAUNCH_MECHANISM) == null) {
            System.setProperty(LAUNCH_MECHANISM, "VFORK");
        }
        JnaBoot.configure();
        int code = execute(args);
        NativeWaitsAtExit.end(EXIT_WAIT_MS);
        System.exit(code);
    }

    /**
     * Runs a command line and returns its exit code; user mistakes print one line, never a stack
     * trace. Errors (such as the simulator's deliberate uncaught error) are not caught here.
     */
    public static int execute(String... args) {
        CommandLine cli = root(args);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof SmartRunnerException e) {
                cmd.getErr().println("smart-runner: " + e.getMessage());
                return e.exitCode();
            }
            cmd.getErr().println("smart-runner: internal error (a bug; please report it): " + ex);
            ex.printStackTrace(cmd.getErr());
            return 1;
        });
        cli.setParameterExceptionHandler((ex, parsedArgs) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            String sub = ex.getCommandLine().getCommandName().replace("smart-runner", "").trim();
            err.println("smart-runner: " + ex.getMessage() + " (see 'smart-runner " + (sub.isEmpty() ? "" : sub + " ")
                    + "--help')");
            return 2;
        });
        return cli.execute(args);
    }

    /**
     * The command line with only the command {@code args} names, when it names one: picocli reads
     * every registered command's annotations by reflection up front, a fifth of the JVM's time
     * before {@code run} starts its first session (docs/performance.md). Anything else
     * ({@code help}, usage, a typo) gets them all.
     */
    private static CommandLine root(String... args) {
        if (args.length > 0) {
            for (Class<?> command : Main.class.getAnnotation(Command.class).subcommands()) {
                if (command != CommandLine.HelpCommand.class
                        && command.getAnnotation(Command.class).name().equals(args[0])) {
                    return new CommandLine(new OneCommand()).addSubcommand(command);
                }
            }
        }
        return new CommandLine(new Main());
    }

    /** {@link Main} without its list of subcommands; {@link #root} adds the one a command line names. */
    @Command(name = "smart-runner", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
            versionProvider = Version.class, description = DESCRIPTION)
    static final class OneCommand implements Runnable {
        @Override
        public void run() {
            new Main().run();
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** {@code -V}: the release, and the commit and time the jar was built from. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {VERSION};
        }
    }
}
