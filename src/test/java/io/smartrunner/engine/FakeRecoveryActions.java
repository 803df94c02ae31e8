package io.smartrunner.engine;

import io.smartrunner.config.StepConfig;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.recovery.RecoveryActions;
import io.smartrunner.recovery.RunningStep;
import io.smartrunner.recovery.StepContext;
import io.smartrunner.recovery.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Steps and checks that finish when the test says so. */
final class FakeRecoveryActions implements RecoveryActions {
    final List<FakeRun> runs = new ArrayList<>();

    @Override
    public synchronized RunningStep step(StepConfig step, StepContext ctx) {
        return add(new FakeRun("step:" + step.name(), ctx));
    }

    @Override
    public synchronized RunningStep verify(VerifyConfig verify, StepContext ctx) {
        return add(new FakeRun("verify", ctx));
    }

    private FakeRun add(FakeRun r) {
        runs.add(r);
        return r;
    }

    synchronized FakeRun last() {
        return runs.get(runs.size() - 1);
    }

    synchronized List<String> names() {
        return runs.stream().map(r -> r.name).toList();
    }

    static final class FakeRun implements RunningStep {
        final String name;
        final StepContext ctx;
        final CompletableFuture<StepResult> result = new CompletableFuture<>();
        boolean cancelled;

        FakeRun(String name, StepContext ctx) {
            this.name = name;
            this.ctx = ctx;
        }

        void ok() {
            result.complete(StepResult.ok(name + " ok"));
        }

        void fail() {
            result.complete(StepResult.failed(name + " failed"));
        }

        /** Failed because the browser provider could not be reached. */
        void providerDown() {
            result.complete(StepResult.providerUnreachable(name + ": AdsPower not reachable"));
        }

        @Override
        public CompletableFuture<StepResult> result() {
            return result;
        }

        @Override
        public void cancel() {
            cancelled = true;
            result.complete(StepResult.failed("cancelled"));
        }
    }
}
