package io.smartrunner.config;

import java.util.Collection;
import java.util.Optional;

/** Finds the allowed word a misspelt one was probably meant to be ("maxErrorStreek"). */
final class NearMiss {
    static final int MAX_DISTANCE = 2;

    private NearMiss() {
    }

    /**
     * The candidate equal to {@code word} ignoring case, else the closest one within
     * {@link #MAX_DISTANCE} edits (first in iteration order on ties), else empty.
     */
    static Optional<String> suggest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = MAX_DISTANCE + 1;
        for (String candidate : candidates) {
            if (candidate.equalsIgnoreCase(word)) {
                return Optional.of(candidate);
            }
            int distance = distance(word, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Levenshtein distance (insert, delete, substitute; each costs one). */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
