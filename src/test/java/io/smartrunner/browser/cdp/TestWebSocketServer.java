package io.smartrunner.browser.cdp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal RFC 6455 server on 127.0.0.1 for tests: the opening handshake, masked client frames
 * (an unmasked one is a protocol error and drops the connection), unmasked server frames, text
 * messages in one frame or in fragments, close and ping. One thread per connection reads frames
 * and hands each whole text message to the handler.
 */
final class TestWebSocketServer implements AutoCloseable {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** Called on the connection's reader thread for each whole text message. */
    interface Handler {
        void onMessage(Connection connection, String text) throws IOException;
    }

    private final ServerSocket server;
    private final Handler handler;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    /** The request headers of every handshake, names in lower case. */
    final List<Map<String, String>> handshakes = new CopyOnWriteArrayList<>();

    TestWebSocketServer(Handler handler) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.handler = handler;
        daemon("test-ws-accept", this::acceptLoop);
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/devtools/browser/test");
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Connection c : connections) {
            c.drop();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Connection c = new Connection(server.accept());
                connections.add(c);
                daemon("test-ws-conn", c::run);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    /** One client connection; the send methods may be called from any thread. */
    final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        void send(String text) throws IOException {
            writeFrame(true, 0x1, text.getBytes(StandardCharsets.UTF_8));
        }

        /** Sends {@code text} as {@code parts} frames: text FIN=0, continuations, last continuation FIN=1. */
        synchronized void sendFragmented(String text, int parts) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            int step = bytes.length / parts;
            for (int i = 0; i < parts; i++) {
                int from = i * step;
                int to = i == parts - 1 ? bytes.length : from + step;
                writeFrame(i == parts - 1, i == 0 ? 0x1 : 0x0, Arrays.copyOfRange(bytes, from, to));
            }
        }

        /** Starts the closing handshake with {@code code}. */
        void sendClose(int code) throws IOException {
            writeFrame(true, 0x8, new byte[] {(byte) (code >> 8), (byte) code});
        }

        /** Drops the TCP connection without a close frame, like a browser that crashed. */
        void drop() throws IOException {
            socket.close();
        }

        private void run() {
            try (socket) {
                handshake();
                readLoop();
            } catch (IOException e) {
                // connection over
            }
        }

        private void handshake() throws IOException {
            Map<String, String> headers = new ConcurrentHashMap<>();
            String line = readLine(); // request line
            while (!(line = readLine()).isEmpty()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
            handshakes.add(headers);
            String accept = Base64.getEncoder().encodeToString(sha1(headers.get("sec-websocket-key") + GUID));
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        private void readLoop() throws IOException {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            while (true) {
                int b0 = readByte();
                int b1 = readByte();
                if ((b1 & 0x80) == 0) {
                    throw new IOException("client frame not masked");
                }
                long length = b1 & 0x7F;
                if (length == 126) {
                    length = (readByte() << 8) | readByte();
                } else if (length == 127) {
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | readByte();
                    }
                }
                byte[] mask = readExactly(4);
                byte[] payload = readExactly((int) length);
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
                int opcode = b0 & 0x0F;
                switch (opcode) {
                    case 0x8 -> {
                        writeFrame(true, 0x8, payload);
                        return;
                    }
                    case 0x9 -> writeFrame(true, 0xA, payload);
                    case 0x1, 0x0 -> {
                        message.write(payload);
                        if ((b0 & 0x80) != 0) {
                            String text = message.toString(StandardCharsets.UTF_8);
                            message.reset();
                            handler.onMessage(this, text);
                        }
                    }
                    default -> { } // pong, binary: not used by the client under test
                }
            }
        }

        private synchronized void writeFrame(boolean fin, int opcode, byte[] payload) throws IOException {
            ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 10);
            frame.write((fin ? 0x80 : 0) | opcode);
            if (payload.length < 126) {
                frame.write(payload.length);
            } else if (payload.length <= 0xFFFF) {
                frame.write(126);
                frame.write(payload.length >> 8);
                frame.write(payload.length & 0xFF);
            } else {
                frame.write(127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    frame.write((int) ((long) payload.length >> shift) & 0xFF);
                }
            }
            frame.write(payload);
            out.write(frame.toByteArray());
            out.flush();
        }

        private int readByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            return b;
        }

        private byte[] readExactly(int n) throws IOException {
            byte[] bytes = in.readNBytes(n);
            if (bytes.length < n) {
                throw new EOFException();
            }
            return bytes;
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = readByte()) != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }

    private static byte[] sha1(String text) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
