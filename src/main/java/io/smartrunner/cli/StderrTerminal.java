package io.smartrunner.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Whether stderr itself is a terminal. {@code System.console()} looks at stdin and stdout, so
 * {@code run 2>file} from a terminal would count as interactive and a secret would go to the file.
 */
final class StderrTerminal {
    interface Calls extends Library {
        Calls INSTANCE = Native.load("c", Calls.class);

        int isatty(int fd);
    }

    private static final int STDERR = 2;

    private StderrTerminal() {
    }

    static boolean isTerminal() {
        try {
            return Calls.INSTANCE.isatty(STDERR) == 1;
        } catch (UnsatisfiedLinkError e) {
            return false; // no libc to ask: assume a file, never show the secret
        }
    }
}
