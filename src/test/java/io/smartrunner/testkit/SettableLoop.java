package io.smartrunner.testkit;

import io.smartrunner.health.RunnerHealth;
import java.util.List;

/**
 * A runner loop for health tests: started, last turned at time 0 (so alive with a clock at 0),
 * with the problem and notes the test sets as it goes. Thread-safe.
 */
public final class SettableLoop implements RunnerHealth.Loop {
    private volatile String problem;
    private volatile List<String> notes = List.of();

    public void problem(String problem) {
        this.problem = problem;
    }

    public void notes(List<String> notes) {
        this.notes = List.copyOf(notes);
    }

    @Override
    public boolean started() {
        return true;
    }

    @Override
    public long lastTurnNanos() {
        return 0;
    }

    @Override
    public String problem() {
        return problem;
    }

    @Override
    public List<String> notes() {
        return notes;
    }
}
