package io.smartrunner.browser.cdp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The listener alone, driven the way the JDK drives it. */
class MessageReaderTest {
    private final AtomicLong requested = new AtomicLong();
    private final WebSocket ws = (WebSocket) Proxy.newProxyInstance(WebSocket.class.getClassLoader(),
            new Class<?>[] {WebSocket.class}, (proxy, method, args) -> {
                if (method.getName().equals("request")) {
                    requested.addAndGet((Long) args[0]);
                    return null;
                }
                throw new UnsupportedOperationException(method.getName());
            });
    private final List<String> messages = new ArrayList<>();
    private final List<String> gone = new ArrayList<>();
    private final MessageReader reader = new MessageReader(socket -> { }, messages::add, gone::add);

    @Test
    void partsOfATextMessageAreJoinedAndEveryCallbackAsksForOneMore() {
        reader.onOpen(ws);
        reader.onText(ws, new StringBuilder("{\"id\":1,"), false);
        reader.onPing(ws, ByteBuffer.allocate(0));
        reader.onText(ws, "\"result\":", false);
        reader.onText(ws, "{}}", true);
        reader.onText(ws, "{\"method\":\"X\"}", true);
        reader.onBinary(ws, ByteBuffer.allocate(1), true);
        reader.onPong(ws, ByteBuffer.allocate(0));

        assertEquals(List.of("{\"id\":1,\"result\":{}}", "{\"method\":\"X\"}"), messages);
        assertEquals(8, requested.get());
    }

    @Test
    void closeAndErrorSayWhy() {
        reader.onClose(ws, 1001, " going away ");
        reader.onClose(ws, 1006, "");
        reader.onError(ws, new IOException("Connection reset"));

        assertEquals(List.of("closed by the browser (1001 going away)", "lost without a close frame (1006)",
                "IOException: Connection reset"), gone);
    }
}
