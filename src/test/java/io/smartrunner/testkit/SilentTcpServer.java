package io.smartrunner.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A server that accepts TCP connections on loopback and never writes a byte: a frozen or
 * black-holed database as a client sees it (the TCP connect succeeds, the login never answers).
 */
public final class SilentTcpServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> accepted = new ArrayList<>();
    private final Thread acceptor;

    public SilentTcpServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptForever, "silent-tcp-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void acceptForever() {
        try {
            while (true) {
                Socket s = socket.accept();
                synchronized (accepted) {
                    accepted.add(s); // held open, never answered
                }
            }
        } catch (IOException closed) {
            // close() ended the accept
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        synchronized (accepted) {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
