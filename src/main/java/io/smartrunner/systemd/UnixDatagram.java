package io.smartrunner.systemd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.charset.StandardCharsets;

/**
 * AF_UNIX datagram sockets through glibc: Java 17's DatagramChannel has no Unix-domain sockets,
 * and sd_notify is one datagram to one. Public so tests can bind the receiving end for real.
 */
public final class UnixDatagram implements AutoCloseable {
    interface Calls extends Library {
        Calls INSTANCE = Native.load("c", Calls.class);
        int AF_UNIX = 1;
        int SOCK_DGRAM = 2;
        int SOCK_CLOEXEC = 02000000;
        int MSG_NOSIGNAL = 0x4000;
        int SO_RCVTIMEO = 20;
        int SOL_SOCKET = 1;

        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] address, int length);

        NativeLong sendto(int fd, byte[] buffer, NativeLong length, int flags, byte[] address, int addressLength);

        NativeLong recv(int fd, byte[] buffer, NativeLong length, int flags);

        int setsockopt(int fd, int level, int name, long[] value, int length);

        int close(int fd);
    }

    private static final int PATH_MAX = 108;
    private final int fd;

    private UnixDatagram(int fd) {
        this.fd = fd;
    }

    /** An unbound socket for sending (close-on-exec: no child inherits it). */
    public static UnixDatagram open() {
        int fd = Calls.INSTANCE.socket(Calls.AF_UNIX, Calls.SOCK_DGRAM | Calls.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket(AF_UNIX, SOCK_DGRAM): errno " + Native.getLastError());
        }
        return new UnixDatagram(fd);
    }

    /** A socket bound to {@code name} (a path, or an abstract name starting with '@'), for receiving. */
    public static UnixDatagram bound(String name) {
        UnixDatagram socket = open();
        byte[] address = address(name);
        if (Calls.INSTANCE.bind(socket.fd, address, address.length) != 0) {
            int errno = Native.getLastError();
            socket.close();
            throw new IllegalStateException("bind(" + name + "): errno " + errno);
        }
        return socket;
    }

    /** @return false when the datagram could not be sent (no receiver, full queue) */
    public boolean send(String to, String message) {
        byte[] address = address(to);
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        NativeLong sent = Calls.INSTANCE.sendto(fd, bytes, new NativeLong(bytes.length), Calls.MSG_NOSIGNAL, address,
                address.length);
        return sent.longValue() == bytes.length;
    }

    /** The next datagram, or null when none arrives within {@code timeoutMs}. */
    public String receive(long timeoutMs) {
        long[] timeval = {timeoutMs / 1000, (timeoutMs % 1000) * 1000};
        Calls.INSTANCE.setsockopt(fd, Calls.SOL_SOCKET, Calls.SO_RCVTIMEO, timeval, 16);
        byte[] buffer = new byte[4096];
        long n = Calls.INSTANCE.recv(fd, buffer, new NativeLong(buffer.length), 0).longValue();
        return n < 0 ? null : new String(buffer, 0, (int) n, StandardCharsets.UTF_8);
    }

    /**
     * struct sockaddr_un: the family (native-endian short), then the path NUL-terminated, or for an
     * abstract name a leading NUL and exactly the name's bytes (its length is in the address length).
     */
    static byte[] address(String name) {
        byte[] path = name.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = name.startsWith("@");
        if (path.length >= PATH_MAX || path.length == 0) {
            throw new IllegalArgumentException("NOTIFY_SOCKET: \"" + name + "\" is not a socket name (1 to "
                    + (PATH_MAX - 1) + " bytes)");
        }
        byte[] address = new byte[2 + path.length + (abstractName ? 0 : 1)];
        short family = Calls.AF_UNIX;
        boolean little = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
        address[little ? 0 : 1] = (byte) family;
        System.arraycopy(path, 0, address, 2, path.length);
        if (abstractName) {
            address[2] = 0;
        }
        return address;
    }

    @Override
    public void close() {
        Calls.INSTANCE.close(fd);
    }
}
