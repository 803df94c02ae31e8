package io.smartrunner.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.smartrunner.store.LadderStat;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** report's per-signature section: steps in ladder order, the start the adaptive strategy would choose. */
class LadderStatsReportTest {
    private static final Instant T = Instant.parse("2025-01-08T10:30:00Z");
    private static final List<String> LADDER = List.of("goToHomepage", "refreshPage", "reopenProfile");

    @Test
    void showsEachSignaturesStepsRatesAndChosenStart() {
        LadderStatsReport r = new LadderStatsReport(List.of(
                new LadderStat("exit/3/abcd0123", "reopenProfile", 2.9, 2.71, "exit", "3", T),
                new LadderStat("exit/3/abcd0123", "goToHomepage", 2.0, 0.1, "exit", "3", T),
                new LadderStat("exit/3/abcd0123", "oldStep", 1, 1, "exit", "3", T),
                new LadderStat("hang/-/-", "goToHomepage", 1, 1, "hang", null, T)), LADDER, 0.6);

        LadderStatsReport.Signature s = r.signatures().get("exit/3/abcd0123");
        assertEquals(3, s.startStep());
        assertEquals("reopenProfile", s.startAction());
        assertEquals("exit", s.reason());
        assertEquals("3", s.exit());
        assertEquals(List.of("goToHomepage", "reopenProfile", "oldStep"), s.steps().stream()
                .map(LadderStatsReport.Step::name).toList(), "ladder order, then steps no longer in it");
        assertEquals(List.of(1, 3, 0), s.steps().stream().map(LadderStatsReport.Step::position).toList());
        assertEquals(1, r.signatures().get("hang/-/-").startStep());
    }

    @Test
    void isInTheReportsJsonOnlyWhenTheStoreWasRead() {
        RecoveryReport report = new RecoveryReport();
        assertFalse(report.toJson().containsKey("signatures"));

        report.ladderStats(new LadderStatsReport(List.of(
                new LadderStat("exit/3/abcd0123", "refreshPage", 3, 2, "exit", "3", T)), LADDER, 0.6));

        @SuppressWarnings("unchecked")
        Map<String, Object> sig = (Map<String, Object>) ((Map<String, Object>) report.toJson().get("signatures"))
                .get("exit/3/abcd0123");
        assertEquals(2, sig.get("startStep"));
        assertEquals(Map.of("refreshPage", Map.of("position", 2, "attempts", 3.0, "successes", 2.0,
                "successRate", 0.667)), sig.get("steps"));
    }
}
