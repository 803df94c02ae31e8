import io.smartrunner.breaker.FleetBreaker;
import io.smartrunner.config.BreakerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Whom to blame at a partial outage's rates, simulated with the runner's own {@link FleetBreaker}
 * (docs/failure-classes.md, "Below that rate, a streak must be rare at the peers' rate").
 *
 * A pod of PROFILES profiles whose sessions each fail with probability RATE (a site failing that
 * share of its requests), each session 1-2 s, a cooldown of 5 s, maxErrorStreak 3 (4 in a row
 * pauses), a withheld pause backing off 1 s, 2 s, 4 s ... at most 5 min as the runner does. Over
 * HOURS simulated hours per rate it counts how often a healthy profile is paused (each would be a
 * 24 h pause; here it is counted and put back at once, so the count is a rate) under:
 *   - "outage only": the rule before session 39 (withheld only when the peers fail >= 20 %);
 *   - "rare streak": withheld also while rate^streak > 1e-5 at the peers' rate, while a fifth of the
 *     others fail now (a streak above 0), and while too few peers voted (at the start).
 * and, for one broken profile (fails every session) added to the pod, the minutes until it is paused.
 * The pause cap (breaker.maxPausedShare) is left out: it hides the healthy pauses after the first.
 * A breaker that opens at these rates is counted (false opens per pod-hour: no outage is played
 * here) and replaced by a closed one at once, so the count is a rate.
 *
 * Then a whole-pod outage (reviewer R15): PROFILES healthy profiles failing 10 % of their sessions
 * for 10 simulated minutes, then every session failing for 40 s; over 50 seeds, how often and how
 * soon the breaker opens, and how many failures of the outage counted as the profiles' own (each
 * climbs that profile's recovery ladder) before it opened.
 *
 * Usage: java -cp target/smart-runner.jar bench/blame-sim.java [PROFILES] [HOURS]
 */
public class BlameSim {
    static final BreakerSettings SETTINGS = new BreakerSettings(true, 0.5, 60_000, 5, 30_000, 0.1);
    static final long S = 1_000_000_000L;

    record Result(int healthyPaused, int sessions, double brokenPausedAfterMin, int opens) {
    }

    public static void main(String[] args) {
        int profiles = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int hours = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        System.out.printf("pod of %d profiles, %d simulated hour(s) per row; healthy profiles paused per pod-hour, and"
                + " a broken profile's minutes to its pause%n", profiles, hours);
        System.out.printf("%-6s | %-9s | %-28s | %-28s | %s%n", "rate", "sessions", "outage only (before)", "rare streak (now)",
                "breaker opens");
        for (double rate : new double[] {0.02, 0.05, 0.08, 0.10, 0.12, 0.15, 0.18, 0.19, 0.25, 0.30}) {
            Result before = run(rate, profiles, hours, false, 7);
            Result now = run(rate, profiles, hours, true, 7);
            System.out.printf("%-6s | %6d /h | %6.2f /h, broken %6.1f min | %6.2f /h, broken %6.1f min | %6.3f /h%n",
                    Math.round(rate * 100) + " %", now.sessions / hours,
                    before.healthyPaused / (double) hours, before.brokenPausedAfterMin,
                    now.healthyPaused / (double) hours, now.brokenPausedAfterMin, now.opens / (double) hours);
        }
        System.out.printf("%na 40 s outage of the whole pod after 10 min at 10 %%, 50 seeds: pod size | opened | seconds"
                + " into the outage, median / max | failures counted as the profiles' own, median / max%n");
        for (int size : new int[] {5, 6, 10, profiles}) {
            outage(size);
        }
    }

    /** The whole pod fails for 40 s after 10 healthy minutes: does the breaker open, how soon, after how many own failures. */
    static void outage(int profiles) {
        List<Double> after = new ArrayList<>();
        List<Integer> own = new ArrayList<>();
        int opened = 0;
        for (long seed = 1; seed <= 50; seed++) {
            Random rnd = new Random(seed);
            FleetBreaker breaker = new FleetBreaker(SETTINGS);
            PriorityQueue<long[]> ends = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
            for (int i = 0; i < profiles; i++) {
                long ran = (long) ((1 + rnd.nextDouble()) * S);
                ends.add(new long[] {(long) (rnd.nextDouble() * 5 * S) + ran, i, ran});
            }
            long from = 600 * S;
            long to = from + 40 * S;
            int counted = 0;
            Double openedAfter = null;
            while (!ends.isEmpty() && openedAfter == null) {
                long[] e = ends.poll();
                long now = e[0];
                if (now > to + 5 * S) {
                    break;
                }
                boolean outage = now >= from && now - e[2] <= to; // a session that ran into the outage fails
                boolean failed = outage || rnd.nextDouble() < 0.10;
                if (!failed) {
                    breaker.succeeded(now, "p" + e[1], false, e[2] / 1_000_000);
                } else if (breaker.failed(now, "p" + e[1], e[2] / 1_000_000).isPresent()) {
                    openedAfter = outage ? (now - from) / (double) S : null;
                    if (!outage) {
                        breaker = new FleetBreaker(SETTINGS); // a false open before the outage: not this row's
                    }
                } else if (outage) {
                    counted++;
                }
                ends.add(new long[] {now + 5 * S + (long) ((1 + rnd.nextDouble()) * S), e[1],
                        (long) ((1 + rnd.nextDouble()) * S)});
            }
            if (openedAfter != null) {
                opened++;
                after.add(openedAfter);
            }
            own.add(counted);
        }
        after.sort(null);
        own.sort(null);
        System.out.printf("%9d | %2d of 50 | %s | %d / %d%n", profiles, opened,
                after.isEmpty() ? "never" : String.format("%.1f / %.1f s", after.get(after.size() / 2),
                        after.get(after.size() - 1)), own.get(own.size() / 2), own.get(own.size() - 1));
    }

    /** One pod for {@code hours}; the broken profile is the last one. */
    static Result run(double rate, int profiles, int hours, boolean rareStreak, long seed) {
        Random rnd = new Random(seed);
        FleetBreaker breaker = new FleetBreaker(SETTINGS);
        int n = profiles + 1;
        int[] streak = new int[n];
        int[] withheldInARow = new int[n];
        boolean[] pausedForGood = new boolean[n];
        PriorityQueue<long[]> ends = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0])); // {end nanos, profile, ran nanos}
        for (int i = 0; i < n; i++) {
            long ran = (long) ((1 + rnd.nextDouble()) * S);
            ends.add(new long[] {(long) (rnd.nextDouble() * 5 * S) + ran, i, ran});
        }
        int healthyPaused = 0;
        int opens = 0;
        int sessions = 0;
        double brokenAfter = Double.NaN;
        long endOfRun = hours * 3600 * S;
        while (!ends.isEmpty()) {
            long[] e = ends.poll();
            long now = e[0];
            if (now > endOfRun) {
                break;
            }
            int i = (int) e[1];
            boolean broken = i == profiles;
            boolean failed = broken || rnd.nextDouble() < rate;
            sessions++;
            long next = 5 * S;
            if (!failed) {
                streak[i] = 0;
                withheldInARow[i] = 0;
                breaker.succeeded(now, "p" + i, false, e[2] / 1_000_000);
            } else {
                if (breaker.failed(now, "p" + i, e[2] / 1_000_000).isPresent()) {
                    opens++; // no outage here: a false open, counted; closed again at once
                    breaker = new FleetBreaker(SETTINGS);
                }
                streak[i]++;
                if (streak[i] >= 4) {
                    int failingNow = 0;
                    for (int j = 0; j < n; j++) {
                        failingNow += j != i && !pausedForGood[j] && streak[j] > 0 ? 1 : 0;
                    }
                    int unpaused = n - 1 - (pausedForGood[profiles] && i != profiles ? 1 : 0);
                    Optional<FleetBreaker.Withheld> w = breaker.peersExplain("p" + i, streak[i],
                            new FleetBreaker.Others(n - 1, unpaused, failingNow));
                    boolean withheld = w.isPresent() && (rareStreak || w.get().why() == FleetBreaker.Why.OUTAGE);
                    if (!withheld) {
                        if (broken) {
                            brokenAfter = Double.isNaN(brokenAfter) ? now / (60.0 * S) : brokenAfter;
                            pausedForGood[i] = true;
                            continue; // paused for the rest of the run; the others go on
                        }
                        healthyPaused++; // counted, and put back at once: what is measured is how often
                        streak[i] = 0;
                        withheldInARow[i] = 0;
                    } else {
                        withheldInARow[i]++;
                        next = Math.max(next, Math.min(300, 1L << Math.min(8, withheldInARow[i] - 1)) * S);
                    }
                }
            }
            long ran = (long) ((1 + rnd.nextDouble()) * S);
            ends.add(new long[] {now + next + ran, i, ran});
        }
        return new Result(healthyPaused, sessions, brokenAfter, opens);
    }
}
