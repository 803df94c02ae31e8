package io.smartrunner.health;

import java.util.List;

/** A health answer: ok, or not with the reasons (each one line for an operator). */
public record Verdict(boolean ok, List<String> reasons) {
    public static final Verdict OK = new Verdict(true, List.of());

    public Verdict {
        reasons = List.copyOf(reasons);
    }
}
