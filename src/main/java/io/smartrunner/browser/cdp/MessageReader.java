package io.smartrunner.browser.cdp;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The WebSocket's listener: reassembles text messages that arrive in parts and hands each whole
 * message on, then reports once that the socket is gone. The JDK calls a listener one method at a
 * time and sends nothing more until asked, so every callback ends with {@code request(1)}.
 */
final class MessageReader implements WebSocket.Listener {
    private static final int ABNORMAL_CLOSURE = 1006;
    private final Consumer<WebSocket> opened;
    private final Consumer<String> message;
    private final Consumer<String> gone;
    private final StringBuilder partial = new StringBuilder();

    /**
     * @param message gets each whole text message; it must not throw
     * @param gone    gets why the socket is gone, at most once
     */
    MessageReader(Consumer<WebSocket> opened, Consumer<String> message, Consumer<String> gone) {
        this.opened = opened;
        this.message = message;
        this.gone = gone;
    }

    @Override
    public void onOpen(WebSocket ws) {
        opened.accept(ws);
        ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        // the JDK may reuse data once this returns: copy it, even when it is the whole message
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            message.accept(text);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        // DevTools speaks text only
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer data) {
        // the JDK answers with a pong by itself
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer data) {
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        String why = reason == null || reason.isBlank() ? "" : " " + reason.strip();
        // the JDK reports a connection that ended without a close frame as 1006
        gone.accept(statusCode == ABNORMAL_CLOSURE ? "lost without a close frame (1006)"
                : "closed by the browser (" + statusCode + why + ")");
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        gone.accept(CdpException.describe(error));
    }
}
