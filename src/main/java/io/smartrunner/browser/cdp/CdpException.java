package io.smartrunner.browser.cdp;

import io.smartrunner.SmartRunnerException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A DevTools command or endpoint failed. The message is one line that names the method or URL
 * and what happened: {@code "Page.navigate: timed out after 5000 ms"},
 * {@code "Runtime.evaluate: -32000 Cannot find context"},
 * {@code "Page.navigate: connection closed: closed by the browser (1000)"}.
 */
public final class CdpException extends SmartRunnerException {
    public CdpException(String message) {
        super(message);
    }

    public CdpException(String message, Throwable cause) {
        super(message, cause);
    }

    /** What went wrong, in a few words on one line, for a failure from the JDK's HTTP or WebSocket client. */
    public static String describe(Throwable failure) {
        Throwable e = failure;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof CdpException) {
            return e.getMessage();
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof WebSocketHandshakeException handshake) {
            return "handshake refused with HTTP " + handshake.getResponse().statusCode();
        }
        String message = e.getMessage();
        String text = message == null || message.isBlank() ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + message;
        return text.replaceAll("\\s+", " ").strip();
    }
}
