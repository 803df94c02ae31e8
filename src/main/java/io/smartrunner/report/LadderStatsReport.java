package io.smartrunner.report;

import io.smartrunner.recovery.LadderStats;
import io.smartrunner.store.LadderStat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recovery ladder's statistics per failure signature, from the state store: per step its
 * (decayed) attempts, successes and rate, and the step the adaptive strategy would start at now
 * (without exploration). Steps are listed in ladder order; steps no longer in the ladder last.
 */
public final class LadderStatsReport {
    private final Map<String, Signature> signatures = new LinkedHashMap<>();

    /** One signature's row set. {@code startStep} is 1-based. */
    public record Signature(String signature, String reason, String exit, int startStep, String startAction,
                            List<Step> steps) {
    }

    /** One step's counts; {@code position} is 1-based, 0 when the step is not in the ladder any more. */
    public record Step(String name, int position, double attempts, double successes, double successRate) {
    }

    /**
     * @param ladder     the configured steps' names, in order
     * @param minSuccess recovery.adaptive.minSuccess
     */
    public LadderStatsReport(List<LadderStat> rows, List<String> ladder, double minSuccess) {
        LadderStats stats = new LadderStats(1.0, rows);
        stats.bySignature().forEach((sig, bySteps) -> {
            List<Step> steps = new ArrayList<>();
            for (int i = 0; i < ladder.size(); i++) {
                LadderStat s = bySteps.get(ladder.get(i));
                if (s != null) {
                    steps.add(new Step(s.step(), i + 1, s.attempts(), s.successes(), s.successRate()));
                }
            }
            bySteps.values().stream().filter(s -> !ladder.contains(s.step()))
                    .forEach(s -> steps.add(new Step(s.step(), 0, s.attempts(), s.successes(), s.successRate())));
            LadderStat sample = bySteps.values().iterator().next();
            int start = stats.preferredStart(sig, ladder, minSuccess);
            signatures.put(sig, new Signature(sig, sample.sampleReason(), sample.sampleExit(), start + 1,
                    ladder.isEmpty() ? null : ladder.get(start), steps));
        });
    }

    public Map<String, Signature> signatures() {
        return signatures;
    }

    /** As plain maps for JSON: signature → {reason, exit, startStep, startAction, steps: {name → counts}}. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        signatures.forEach((sig, s) -> {
            Map<String, Object> steps = new LinkedHashMap<>();
            s.steps().forEach(st -> steps.put(st.name(), ordered("position", st.position(),
                    "attempts", round(st.attempts()), "successes", round(st.successes()),
                    "successRate", round(st.successRate()))));
            out.put(sig, ordered("reason", s.reason(), "exit", s.exit(), "startStep", s.startStep(),
                    "startAction", s.startAction(), "steps", steps));
        });
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
