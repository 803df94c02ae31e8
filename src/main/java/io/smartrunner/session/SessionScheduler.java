package io.smartrunner.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses which eligible profiles start a session now, within the global and per-pod limits,
 * least recently run first. Pure: the caller says who is eligible and what is running.
 */
public final class SessionScheduler {
    private static final Comparator<Candidate> LEAST_RECENTLY_RUN = Comparator
            .comparing(Candidate::lastStartedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Candidate::order);

    private final int globalLimit;
    private final Map<String, Integer> podLimits;

    public SessionScheduler(int globalLimit, Map<String, Integer> podLimits) {
        this.globalLimit = globalLimit;
        this.podLimits = Map.copyOf(podLimits);
    }

    /**
     * @param eligible       profiles that may start now
     * @param runningByPod   sessions running per pod
     * @return the profiles to start, in start order
     */
    public List<Candidate> pick(List<Candidate> eligible, Map<String, Integer> runningByPod) {
        int running = runningByPod.values().stream().mapToInt(Integer::intValue).sum();
        int free = globalLimit - running;
        if (free <= 0 || eligible.isEmpty()) {
            return List.of();
        }
        Map<String, Integer> podRunning = new HashMap<>(runningByPod);
        List<Candidate> sorted = new ArrayList<>(eligible);
        sorted.sort(LEAST_RECENTLY_RUN);
        List<Candidate> chosen = new ArrayList<>();
        for (Candidate c : sorted) {
            if (chosen.size() == free) {
                break;
            }
            int inPod = podRunning.getOrDefault(c.pod(), 0);
            if (inPod < podLimits.getOrDefault(c.pod(), globalLimit)) {
                podRunning.put(c.pod(), inPod + 1);
                chosen.add(c);
            }
        }
        return chosen;
    }

    /** Whether {@link #pick} would start anyone, without ordering them (the loop asks this on every wait). */
    public boolean wouldStartAny(List<Candidate> eligible, Map<String, Integer> runningByPod) {
        int running = runningByPod.values().stream().mapToInt(Integer::intValue).sum();
        return running < globalLimit && eligible.stream()
                .anyMatch(c -> runningByPod.getOrDefault(c.pod(), 0) < podLimits.getOrDefault(c.pod(), globalLimit));
    }

    /**
     * A profile that may start.
     *
     * @param lastStartedAt null = never run (goes first)
     * @param order         tie-breaker: position in the configuration
     */
    public record Candidate(String profileId, String pod, Instant lastStartedAt, int order) {
    }
}
