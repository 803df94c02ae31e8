package io.smartrunner.cli;

import java.nio.file.Path;

/** Where the running JVM's own {@code java} binary is, to start tools of this program as children. */
final class JavaCommand {
    private JavaCommand() {
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
