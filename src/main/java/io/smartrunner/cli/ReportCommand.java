package io.smartrunner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.event.EventLog;
import io.smartrunner.report.RecoveryReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code report}: recovery success rates per step and per pod, from the event log. */
@Command(name = "report", description = "Recovery analytics from the event log: per step and per pod.")
final class ReportCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Option(names = "--events", paramLabel = "FILE", description = "read this event log instead of the configured one")
    Path eventsFile;

    @Override
    public Integer call() throws Exception {
        Path log = eventsFile != null ? eventsFile : config.loadToInspect().runner().eventLog();
        if (!Files.exists(log)) {
            throw new SmartRunnerException(log + ": no event log yet (has the runner run?)");
        }
        RecoveryReport report = new RecoveryReport();
        long malformed;
        try (EventLog events = EventLog.open(log)) {
            events.forEach(e -> true, report::add);
            malformed = events.malformedLines();
            if (events.malformedNotice() != null) {
                System.err.println("smart-runner: " + events.malformedNotice());
            }
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>(report.toJson());
            out.put("malformedLines", malformed);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(out));
            return 0;
        }
        System.out.println("Recovery steps (" + log + ")");
        String stepFmt = "  %-20s %9s %6s %10s %7s %9s %12s%n";
        System.out.printf(stepFmt, "STEP", "ATTEMPTS", "OK", "UNHEALTHY", "FAILED", "SUCCESS", "MEAN MS");
        report.steps().forEach((name, s) -> System.out.printf(stepFmt, name, s.attempts, s.ok, s.unhealthy, s.failed,
                percent(s.successRate()), String.format(Locale.ROOT, "%.0f", s.meanDurMs())));
        System.out.println("Pods");
        String podFmt = "  %-12s %9s %9s %9s %10s %10s %10s %8s %9s%n";
        System.out.printf(podFmt, "POD", "SESSIONS", "FAILURES", "EPISODES", "RECOVERED", "EXHAUSTED", "MTTR MS",
                "PAUSES", "PAUSED");
        report.pods().forEach((name, p) -> System.out.printf(podFmt, name, p.sessions, p.failures, p.episodes,
                p.recovered, p.exhausted, String.format(Locale.ROOT, "%.0f", p.meanTimeToRecoveryMs()), p.pauses,
                p.profilesPaused()));
        return 0;
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f %%", rate * 100);
    }
}
