package io.smartrunner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.StepConfig;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventLog;
import io.smartrunner.report.LadderStatsReport;
import io.smartrunner.report.RecoveryReport;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code report}: recovery success rates per step and per pod, from the event log. */
@Command(name = "report", description = "Recovery analytics from the event log: per step and per pod;"
        + " the ladder's statistics per failure signature from the state store.")
final class ReportCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Option(names = "--events", paramLabel = "FILE", description = "read this event log instead of the configured one")
    Path eventsFile;

    @Override
    public Integer call() throws Exception {
        // with --events alone, the configuration (for the state store's statistics) is optional
        RunnerConfig cfg = eventsFile == null || Files.exists(config.file) ? config.loadToInspect() : null;
        Path log = eventsFile != null ? eventsFile : cfg.runner().eventLog();
        boolean fleet = eventsFile == null && cfg.store().kind() == StoreSettings.Kind.POSTGRES;
        if (!fleet && !Files.exists(log)) {
            throw new SmartRunnerException(log + ": no event log yet (has the runner run?)");
        }
        RecoveryReport report = new RecoveryReport();
        long malformed = 0;
        String source = log.toString();
        if (fleet) {
            // cluster mode: the whole fleet's events and ladder statistics, from PostgreSQL
            source = "the fleet's events in PostgreSQL at " + cfg.store().hostPort();
            try (PostgresStateStore store = RunnerHome.postgres(cfg)) {
                store.events().forEach(new EventFilter(null, null, null), report::add);
                List<String> ladder = cfg.recovery().steps().stream().limit(cfg.recovery().maxRecoverySteps())
                        .map(StepConfig::name).toList();
                report.ladderStats(new LadderStatsReport(store.loadLadderStats(), ladder,
                        cfg.recovery().adaptive().minSuccess()));
            }
        } else {
            malformed = fromLog(log, report);
            if (cfg != null) {
                ladderStats(cfg, report);
            }
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>(report.toJson());
            out.put("malformedLines", malformed);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(out));
            return 0;
        }
        System.out.println("Recovery steps (" + source + ")");
        printTables(report);
        return 0;
    }

    private static long fromLog(Path log, RecoveryReport report) {
        long malformed;
        try (EventLog events = EventLog.open(log)) {
            events.forEach(e -> true, report::add);
            malformed = events.malformedLines();
            events.skippedFiles().forEach(note -> System.err.println("smart-runner: " + note));
            if (events.malformedNotice() != null) {
                System.err.println("smart-runner: " + events.malformedNotice());
            }
        }
        return malformed;
    }

    private static void printTables(RecoveryReport report) {
        String stepFmt = "  %-20s %9s %6s %10s %7s %9s %12s%n";
        System.out.printf(stepFmt, "STEP", "ATTEMPTS", "OK", "UNHEALTHY", "FAILED", "SUCCESS", "MEAN MS");
        report.steps().forEach((name, s) -> System.out.printf(stepFmt, name, s.attempts, s.ok, s.unhealthy, s.failed,
                percent(s.successRate()), String.format(Locale.ROOT, "%.0f", s.meanDurMs())));
        System.out.println("Pods");
        // PAUSED counted profiles paused at some time in the log read, not now (reviewer R14: 1000 for pods unpaused since)
        // RELAPSED: recovered, and the profile's next session failed again (the check passed, the failure stayed)
        String podFmt = "  %-12s %9s %9s %9s %9s %10s %9s %10s %10s %8s %12s%n";
        System.out.printf(podFmt, "POD", "SESSIONS", "FAILURES", "OWN", "EPISODES", "RECOVERED", "RELAPSED", "EXHAUSTED",
                "MTTR MS", "PAUSES", "EVER PAUSED");
        report.pods().forEach((name, p) -> System.out.printf(podFmt, name, p.sessions, p.failures, p.ownFailures,
                p.episodes, p.recovered, p.relapsed, p.exhausted, p.meanTimeToRecoveryMs() == null ? "-"
                        : String.format(Locale.ROOT, "%.0f", p.meanTimeToRecoveryMs()), p.pauses, p.profilesPaused()));
        if (report.ladderStats() != null) {
            printSignatures(report.ladderStats());
        }
    }

    /** The state store's per-signature ladder statistics, if it exists and can be read. */
    private static void ladderStats(RunnerConfig cfg, RecoveryReport report) {
        Path db = RunnerHome.stateFile(cfg.runner());
        if (!StatusCommand.hasStore(db)) {
            return;
        }
        try (SqliteStateStore store = SqliteStateStore.openReadOnly(db)) {
            List<String> ladder = cfg.recovery().steps().stream().limit(cfg.recovery().maxRecoverySteps())
                    .map(StepConfig::name).toList();
            report.ladderStats(new LadderStatsReport(store.loadLadderStats(), ladder,
                    cfg.recovery().adaptive().minSuccess()));
        } catch (StoreException e) {
            System.err.println("smart-runner: no ladder statistics: " + e.getMessage());
        }
    }

    private static void printSignatures(LadderStatsReport stats) {
        System.out.println("Failure signatures (recent, decayed counts; START = where adaptive begins)");
        String fmt = "      %-3s %-20s %9s %9s %9s%n";
        stats.signatures().forEach((sig, s) -> {
            // the signature's middle part is an exit code or a signal's name (reviewer O: "exit SIGTERM")
            String exit = s.exit() == null || s.exit().equals("-") ? "no exit code"
                    : s.exit().startsWith("SIG") ? "signal " + s.exit() : "exit " + s.exit();
            System.out.printf("  %s  reason %s, %s, START step %d (%s)%n", sig, s.reason(), exit, s.startStep(),
                    s.startAction());
            System.out.printf(fmt, "#", "STEP", "ATTEMPTS", "SUCCESSES", "SUCCESS");
            s.steps().forEach(st -> System.out.printf(fmt, st.position() == 0 ? "-" : st.position(), st.name(),
                    String.format(Locale.ROOT, "%.2f", st.attempts()), String.format(Locale.ROOT, "%.2f",
                            st.successes()), percent(st.successRate())));
        });
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f %%", rate * 100);
    }
}
