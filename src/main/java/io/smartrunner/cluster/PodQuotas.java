package io.smartrunner.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many of a pod's {@code concurrency} slots each live runner is due, from the profiles of the
 * pod it holds that may run (its weight): every runner with any gets one slot, the rest go by
 * weight (largest remainder, ties to the older incarnation), so the quotas add up to the
 * concurrency exactly. With fewer slots than such runners, the slots go round: each minute of the
 * database's clock ({@code turn}) moves them on to the next runners. Every runner computes the
 * same quotas from the same read.
 *
 * <p>Before session 42 each runner capped itself at ceil(concurrency × its profiles ÷ all), caps
 * that add up to more than the concurrency: runners at their caps never gave a slot back, and one
 * that joined later (a rolling restart) held none, its profiles idle for good (reviewer R4: 333 s
 * and counting); with fewer slots than runners, the profiles of the runners left without a slot
 * never ran at all.
 */
final class PodQuotas {
    private PodQuotas() {
    }

    /**
     * @param weights each live runner's weight, by incarnation (runners with none are due nothing)
     * @param turn    the database's minute: which runners the slots go to when there are fewer
     */
    static Map<Long, Integer> of(int concurrency, Map<Long, Integer> weights, long turn) {
        List<Long> order = new ArrayList<>(new TreeMap<>(weights).entrySet().stream()
                .filter(e -> e.getValue() > 0).map(Map.Entry::getKey).toList());
        Map<Long, Integer> out = new HashMap<>();
        int n = order.size();
        if (n == 0 || concurrency <= 0) {
            return out;
        }
        if (concurrency < n) {
            int from = (int) Math.floorMod(turn, (long) n);
            for (int i = 0; i < concurrency; i++) {
                out.put(order.get((from + i) % n), 1);
            }
            return out;
        }
        long rest = concurrency - n;
        long total = order.stream().mapToLong(weights::get).sum();
        long given = 0;
        for (Long inc : order) {
            long base = rest * weights.get(inc) / total;
            out.put(inc, 1 + (int) base);
            given += base;
        }
        List<Long> byRemainder = new ArrayList<>(order);
        byRemainder.sort(Comparator.comparingLong((Long inc) -> -(rest * weights.get(inc) % total))
                .thenComparing(Comparator.naturalOrder()));
        for (int i = 0; i < rest - given; i++) {
            out.merge(byRemainder.get(i), 1, Integer::sum);
        }
        return out;
    }
}
