package io.smartrunner.engine;

import io.smartrunner.process.ProcessTable;
import io.smartrunner.process.RunningProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Records what the supervisor asked to stop or sweep. */
final class FakeProcessTable implements ProcessTable {
    final List<String> stoppedSessions = new ArrayList<>();
    final List<TaggedProcess> tagged = new ArrayList<>();
    final List<Map<Long, String>> sweeps = new ArrayList<>();

    @Override
    public List<TaggedProcess> tagged(String runnerId) {
        return List.copyOf(tagged);
    }

    @Override
    public Optional<RunningProcess> adopt(String runnerId, String sessionId) {
        return Optional.empty();
    }

    @Override
    public synchronized int stopSession(long pid, long startTicks, String sessionId, Duration grace) {
        stoppedSessions.add(sessionId);
        return 1;
    }

    @Override
    public synchronized int sweepLeftovers(Map<Long, String> sessionsByPgid) {
        sweeps.add(sessionsByPgid);
        return 0;
    }
}
