package io.smartrunner.http;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/**
 * Whether a failure while answering is the client having gone (a closed tab, a {@code curl}
 * stopped, a reset connection): the normal end of an event stream, and of any reply nobody waits
 * for any more. Such an end is not the runner's fault and is said nowhere: since reviewer R11's
 * fix made every other failure a stderr line, each dashboard tab closed printed "internal error
 * answering GET /api/events/stream" (the server's close of the exchange threw an
 * {@code IOException} naming Jetty's {@code EofException}, wrapped in a {@code RuntimeException}). A disk's error reading a log
 * stays an internal error: only a broken connection counts.
 */
final class ClientGone {
    private ClientGone() {
    }

    static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // Jetty's EofException is an EOFException
            if (t instanceof EOFException || t instanceof ClosedChannelException) {
                return true;
            }
            if (t instanceof IOException && t.getMessage() != null) {
                String m = t.getMessage().toLowerCase(Locale.ROOT);
                // Jetty's HTTP SPI closes an exchange whose connection is gone with an IOException
                // that names its EofException in the message alone, without it as the cause
                if (m.contains("broken pipe") || m.contains("connection reset") || m.contains("stream is closed")
                        || m.contains("stream closed") || m.contains("eofexception")
                        || m.contains("closedchannelexception")) {
                    return true;
                }
            }
        }
        return false;
    }
}
