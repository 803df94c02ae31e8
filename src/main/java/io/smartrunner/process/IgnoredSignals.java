package io.smartrunner.process;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Takes back the signals the runner owns (HUP reload, INT and TERM stop) when it was started with
 * them ignored — {@code nohup} ignores HUP, a background job of a script ignores INT — because the
 * JVM does not install a handler for a signal that is ignored at that moment, so a SIGHUP would be
 * swallowed silently. Daemons such as nginx do the same. Call it before installing the handlers.
 */
public final class IgnoredSignals {
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;
    /** glibc's struct sigaction is at most 152 bytes on Linux; sa_handler is its first member. */
    private static final int SIGACTION_BYTES = 152;

    interface SignalLibC extends Library {
        SignalLibC INSTANCE = Native.load("c", SignalLibC.class, Map.of());

        int sigaction(int signum, Pointer act, Pointer oldact);

        Pointer signal(int signum, Pointer handler);
    }

    private IgnoredSignals() {
    }

    /**
     * Sets each of {@code signals} that is ignored back to its default disposition.
     *
     * @return the names of those that were ignored (for the operator), empty when none was
     */
    public static List<String> restore(Map<String, Integer> signals) {
        List<String> restored = new ArrayList<>();
        for (Map.Entry<String, Integer> s : signals.entrySet()) {
            try {
                Memory old = new Memory(SIGACTION_BYTES);
                old.clear();
                if (SignalLibC.INSTANCE.sigaction(s.getValue(), null, old) == 0
                        && Pointer.nativeValue(old.getPointer(0)) == SIG_IGN) {
                    SignalLibC.INSTANCE.signal(s.getValue(), new Pointer(SIG_DFL));
                    restored.add(s.getKey());
                }
            } catch (LinkageError e) {
                return restored; // no native access: the JVM's own behaviour stays
            }
        }
        return restored;
    }
}
