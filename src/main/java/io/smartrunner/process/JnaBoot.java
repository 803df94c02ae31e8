package io.smartrunner.process;

/**
 * JNA's settings, made before its first use. Every library this runner binds is "c", which JNA
 * on Linux maps to the process itself ({@code dlopen(NULL)}), so JNA's search path for libraries
 * by name is never read; yet {@code NativeLibrary}'s static initialiser builds it, forking
 * {@code /sbin/ldconfig -p} and reading its output, unless {@code jna.platform.library.path} is
 * set: 25-30 ms of every start (docs/performance.md). So it is set, to the directories JNA lists
 * without ldconfig's, unless the operator set it.
 */
public final class JnaBoot {
    static final String PLATFORM_PATH = "jna.platform.library.path";

    private JnaBoot() {
    }

    /** Sets JNA's platform library path when nobody did; call it before any JNA class loads. */
    public static void configure() {
        if (System.getProperty(PLATFORM_PATH) == null) {
            System.setProperty(PLATFORM_PATH, platformPath(System.getProperty("os.arch", "")));
        }
    }

    /** The Debian/Ubuntu multiarch directories for {@code osArch} (when known), then the classic ones. */
    static String platformPath(String osArch) {
        String multiarch = switch (osArch) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            default -> null;
        };
        String classic = "/usr/lib64:/lib64:/usr/lib:/lib";
        return multiarch == null ? classic : "/usr/lib/" + multiarch + ":/lib/" + multiarch + ":" + classic;
    }
}
