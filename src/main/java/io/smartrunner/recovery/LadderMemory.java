package io.smartrunner.recovery;

import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.RecoverySettings.AdaptiveSettings;
import io.smartrunner.config.RecoverySettings.Strategy;
import io.smartrunner.store.LadderStat;
import io.smartrunner.store.StoreException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where an episode starts ({@code recovery.strategy}) and what the ladder learns from each
 * attempt. Fixed: always step 1. Adaptive: the lowest step whose recent success rate for the
 * failure's signature is at least {@code minSuccess} (see {@link LadderStats}), except that with
 * probability {@code explore} (drawn from the injected Random) it starts at step 1 anyway so
 * cheaper steps keep being tried. Both strategies count every attempt, so switching to adaptive
 * starts from what the fixed ladder saw. The statistics are loaded from and saved to the state
 * store; a failing store is said once and retried with the next outcome, never fatal. Not
 * thread-safe (the supervisor's loop).
 */
public final class LadderMemory {
    private final Strategy strategy;
    private final AdaptiveSettings tuning;
    private final Supplier<List<LadderStat>> load;
    private final Consumer<List<LadderStat>> save;
    private final Random random;
    private final Consumer<String> diagnostics;
    private final Map<String, LadderStat> unsaved = new LinkedHashMap<>();
    private LadderStats stats;
    private boolean storeFailing;

    /**
     * Where an episode starts and why, for its events.
     *
     * @param step      0-based step to start at
     * @param strategy  fixed or adaptive
     * @param signature the failure's signature, null when unknown
     * @param relapseOf the step whose recovery the profile's last session undid, when the episode
     *                  starts above it; null otherwise
     */
    public record Start(int step, String strategy, String signature, String relapseOf) {
        public boolean adaptive() {
            return "adaptive".equals(strategy);
        }

        /** This start, moved up to {@code above} (0-based) because {@code relapsed}'s recovery did not hold. */
        public Start above(int above, String relapsed) {
            return new Start(above, strategy, signature, relapsed);
        }
    }

    /**
     * @param load        reads the persisted statistics (StateStore.loadLadderStats)
     * @param save        upserts changed rows (StateStore.writeLadderStats)
     * @param diagnostics one-line messages for the operator
     */
    public LadderMemory(RecoverySettings settings, Supplier<List<LadderStat>> load, Consumer<List<LadderStat>> save,
                        Random random, Consumer<String> diagnostics) {
        this.strategy = settings.strategy();
        this.tuning = settings.adaptive();
        this.load = load;
        this.save = save;
        this.random = random;
        this.diagnostics = diagnostics;
    }

    /** @param signature the failure's, null when unknown (an episode resumed after a restart): step 1 */
    public Start start(FailureSignature signature, List<String> ladder) {
        String id = signature == null ? null : signature.id();
        if (strategy == Strategy.FIXED || signature == null || stats() == null) {
            return new Start(0, strategy.wireName(), id, null);
        }
        int preferred = stats.preferredStart(id, ladder, tuning.minSuccess());
        boolean explore = preferred > 0 && random.nextDouble() < tuning.explore();
        return new Start(explore ? 0 : preferred, strategy.wireName(), id, null);
    }

    /**
     * Which count of a (signature, step) row an outcome was: {@link #takeBack} finds it again.
     *
     * @param number the row's count number ({@link LadderStats#countsOf} right after it)
     */
    public record Counted(String signature, String step, long number) {
    }

    /**
     * Counts an attempt of {@code step} against the signature (healthy: the check said so after it,
     * and the recovery held, see RecoveryCoordinator). Returns which count it was, null when nothing
     * was counted (no signature, or the store cannot be read).
     */
    public Counted learned(FailureSignature signature, String step, boolean healthy, Instant now) {
        if (signature == null || stats() == null) {
            return null;
        }
        saved(stats.count(signature, step, healthy, now));
        return new Counted(signature.id(), step, stats.countsOf(signature.id(), step));
    }

    /** A failure counted as {@code counted} turned out not to be the step's: it counts as a success. */
    public void takeBack(Counted counted) {
        LadderStat row = stats == null ? null
                : stats.amendToSuccess(counted.signature(), counted.step(), counted.number());
        if (row != null) {
            saved(row);
        }
    }

    private void saved(LadderStat row) {
        unsaved.put(row.signature() + '\0' + row.step(), row);
        try {
            save.accept(List.copyOf(unsaved.values()));
            unsaved.clear();
            storeFailing = false;
        } catch (StoreException e) {
            problem("cannot save the recovery ladder's statistics (kept in memory, retried): " + e.getMessage());
        }
    }

    /** The statistics, loaded on first use; null while the store cannot be read. */
    private LadderStats stats() {
        if (stats == null) {
            try {
                stats = new LadderStats(tuning.decay(), load.get());
                storeFailing = false;
            } catch (StoreException e) {
                problem("cannot read the recovery ladder's statistics (starting at step 1 meanwhile): "
                        + e.getMessage());
            }
        }
        return stats;
    }

    private void problem(String message) {
        if (!storeFailing) {
            diagnostics.accept(message);
            storeFailing = true;
        }
    }
}
