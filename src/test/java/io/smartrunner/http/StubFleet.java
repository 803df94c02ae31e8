package io.smartrunner.http;

import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.engine.ReloadSummary;
import io.smartrunner.profile.ProfileState;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A fleet for the HTTP tests: no profiles, no controls, no reload; a test overrides what it needs. */
class StubFleet implements FleetControl {
    @Override
    public CompletableFuture<List<ProfileState>> profiles() {
        return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public CompletableFuture<ManualReply> request(ManualRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<ReloadSummary> reload() {
        throw new UnsupportedOperationException();
    }
}
