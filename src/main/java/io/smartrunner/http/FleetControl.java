package io.smartrunner.http;

import io.smartrunner.profile.ProfileState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the HTTP API may read and change in the running fleet. Implementations are thread-safe. */
public interface FleetControl {
    CompletableFuture<List<ProfileState>> profiles();

    void pause(String profileId, Duration duration, String reason, String by);

    void unpause(String profileId, String by);
}
