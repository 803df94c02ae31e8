package io.smartrunner.browser;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@code nft} program, run without a shell (its arguments are table names and port numbers
 * the runner made), each call a process of its own bounded by {@link #TIMEOUT_MS}. Thread-safe.
 */
final class Nft {
    static final long TIMEOUT_MS = 5_000;
    private static final List<Path> WHERE = List.of(Path.of("/usr/sbin/nft"), Path.of("/sbin/nft"));
    /** More than a listing of every table of a busy firewall. */
    private static final int MAX_OUTPUT = 64 * 1024;

    private final Path program;

    private Nft(Path program) {
        this.program = program;
    }

    /** The installed program, if any. */
    static Optional<Nft> find() {
        return WHERE.stream().filter(Files::isExecutable).findFirst().map(Nft::new);
    }

    /** Runs it; null when it exited 0, else its first line of output (or why it did not run). */
    String run(String stdin, String... args) {
        return exec(stdin, new StringBuilder(), args);
    }

    /** Runs it; its output when it exited 0, else empty. */
    Optional<String> output(String... args) {
        StringBuilder out = new StringBuilder();
        return exec(null, out, args) == null ? Optional.of(out.toString()) : Optional.empty();
    }

    private String exec(String stdin, StringBuilder output, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] out = p.getInputStream().readNBytes(MAX_OUTPUT);
            if (!p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return "no answer within " + TIMEOUT_MS + " ms";
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() == 0) {
                output.append(text);
                return null;
            }
            text = text.strip();
            return text.isEmpty() ? "exit " + p.exitValue() : text.lines().findFirst().orElse("");
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
