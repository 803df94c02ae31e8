package io.smartrunner.http;

import io.smartrunner.event.Redactor;
import io.smartrunner.report.LiveReport;
import io.smartrunner.time.TimeSource;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the API serves from.
 *
 * @param eventLog      the runner's event log, read for {@code /api/events} and its stream
 * @param sessionLogDir where {@code <profile>.stdout.log} / {@code .stderr.log} are
 * @param newEvents     subscribed to the runner's event fan-out; wakes event streams
 * @param redactor      masks the configured secrets in session output served by the API
 * @param browsers      each profile's browser as shown with its state (provider name, open, pid);
 *                      null when browser.provider is none
 * @param eventPages    where /api/events reads: the event log, or in cluster mode the fleet's events
 */
public record ApiParts(FleetControl fleet, ApiToken token, Path eventLog, Path sessionLogDir, LiveReport report,
                       NewEvents newEvents, Redactor redactor, TimeSource time,
                       java.util.function.Function<String, Map<String, Object>> browsers, EventPages eventPages) {
    /** One runner (SQLite): /api/events reads the runner's own event log. */
    public ApiParts(FleetControl fleet, ApiToken token, Path eventLog, Path sessionLogDir, LiveReport report,
                    NewEvents newEvents, Redactor redactor, TimeSource time,
                    java.util.function.Function<String, Map<String, Object>> browsers) {
        this(fleet, token, eventLog, sessionLogDir, report, newEvents, redactor, time, browsers,
                EventPages.of(eventLog));
    }
}
