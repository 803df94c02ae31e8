package io.smartrunner.process;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Asks a pidfd which cgroup its process is in ({@code PIDFD_GET_INFO}, Linux 6.13+), which it
 * answers for a zombie too: one ioctl where reading {@code /proc/PID/cgroup} took an open, the
 * kernel's formatting of a line per hierarchy, a read and a close, 15 % of the reaper's samples in
 * a 10 000-profile fleet (it is read at the exit of every launch joined through sr-cgroup-exec).
 * An older kernel answers ENOTTY (or EINVAL) once, and the caller reads /proc from then on.
 */
final class PidfdInfo {
    private static final long PIDFD_INFO_CGROUPID = 1L << 2;
    /** struct pidfd_info's first version (PIDFD_INFO_SIZE_VER0): later kernels accept it as it is. */
    private static final int INFO_BYTES = 64;
    /** _IOWR(PIDFS_IOCTL_MAGIC 0xFF, 11, struct pidfd_info) */
    private static final long PIDFD_GET_INFO = (3L << 30) | ((long) INFO_BYTES << 16) | (0xFFL << 8) | 11;
    private static final int EINVAL = 22;
    private static final int ENOTTY = 25;
    private static volatile boolean unsupported;

    static {
        try {
            Native.register(PidfdInfo.class, NativeLibrary.getInstance("c"));
        } catch (LinkageError e) {
            unsupported = true;
        }
    }

    private PidfdInfo() {
    }

    private static native int ioctl(int fd, long request, byte[] info);

    /**
     * The id of the cgroup (v2) the process behind {@code pidfd} is in, its directory's inode
     * number; -1 when the kernel does not say (too old, or the process is reaped already).
     */
    static long cgroupId(int pidfd) {
        if (unsupported || pidfd < 0) {
            return -1;
        }
        byte[] info = new byte[INFO_BYTES];
        ByteBuffer fields = ByteBuffer.wrap(info).order(ByteOrder.nativeOrder());
        fields.putLong(0, PIDFD_INFO_CGROUPID);
        if (ioctl(pidfd, PIDFD_GET_INFO, info) != 0) {
            int errno = Native.getLastError();
            if (errno == ENOTTY || errno == EINVAL) {
                unsupported = true;
            }
            return -1;
        }
        return (fields.getLong(0) & PIDFD_INFO_CGROUPID) != 0 ? fields.getLong(8) : -1;
    }
}
