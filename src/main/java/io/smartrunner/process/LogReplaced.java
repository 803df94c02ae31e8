package io.smartrunner.process;

/**
 * Thrown by a session's output poll, once per session, when a log's path no longer leads to the
 * file the child writes (removed, or renamed by a logrotate without copytruncate): said for every
 * such log, not folded into the minute's other rotation failures, where one log's line hid the next.
 */
public final class LogReplaced extends ProcessException {
    public LogReplaced(String message) {
        super(message);
    }
}
