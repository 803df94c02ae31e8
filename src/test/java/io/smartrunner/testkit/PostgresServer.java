package io.smartrunner.testkit;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for the test JVM: the real server binary (Debian's
 * {@code postgresql} package), {@code initdb} into a temp dir, listening on 127.0.0.1 at a free
 * port, stopped and deleted at JVM exit. As root it runs as the {@code postgres} user (initdb and
 * postgres refuse root) through {@code runuser}, with an argv, never a shell.
 *
 * <p>No binaries → the test fails with how to install them ({@code bin/setup --for-tests}); a
 * store test never skips. The superuser {@code postgres} has {@link #PASSWORD} over TCP
 * (scram-sha-256), so tests can check wrong passwords too.
 */
public final class PostgresServer {
    public static final String USER = "postgres";
    public static final String PASSWORD = "sr-test-pw-7f3a";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static PostgresServer shared;

    private final Path binDir;
    private final Path base;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;
    /** The server's command line, for {@link #startAgain}. */
    private final List<String> argv;
    /** The server (through runuser as root); replaced by {@link #startAgain}. */
    private volatile Process process;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path binDir, Path base, int port, boolean asPostgresUser, List<String> argv, Process process) {
        this.binDir = binDir;
        this.base = base;
        this.dataDir = base.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.argv = List.copyOf(argv);
        this.process = process;
    }

    /** The server of this JVM, started on first use. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start(true);
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "postgres-stop"));
        }
        return shared;
    }

    /**
     * Starts a server of its own (the caller stops it).
     *
     * @param fast fsync and synchronous commit off (throwaway data); false keeps PostgreSQL's
     *             durable defaults, for figures comparable with a real deployment
     */
    public static PostgresServer start(boolean fast) {
        Path bin = binaries().orElseThrow(() -> new AssertionError("PostgreSQL server binaries (initdb, postgres)"
                + " not found in /usr/lib/postgresql/*/bin or on PATH: install them with bin/setup --for-tests"
                + " (Debian package postgresql); the PostgreSQL store tests need a real server"));
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path base = Files.createTempDirectory("sr-pg-");
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
            Path pwFile = base.resolve("pw");
            Files.writeString(pwFile, PASSWORD + "\n");
            if (root) {
                UserPrincipal postgres = base.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName(USER);
                Files.setOwner(base, postgres);
                Files.setOwner(pwFile, postgres);
            }
            run(root, base, List.of(bin.resolve("initdb").toString(), "-D", base.resolve("data").toString(),
                    "-U", USER, "--pwfile=" + pwFile, "--auth-local=trust", "--auth-host=scram-sha-256",
                    "-E", "UTF8", "--locale=C", "--no-sync"), base.resolve("initdb.log"));
            int port = freePort();
            List<String> server = new ArrayList<>(List.of(bin.resolve("postgres").toString(),
                    "-D", base.resolve("data").toString(), "-p", String.valueOf(port), "-k", base.toString(),
                    "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"));
            if (fast) {
                server.addAll(List.of("-c", "fsync=off", "-c", "synchronous_commit=off",
                        "-c", "full_page_writes=off"));
            }
            Process p = builder(root, base, server).redirectErrorStream(true)
                    .redirectOutput(base.resolve("postgres.log").toFile()).start();
            PostgresServer s = new PostgresServer(bin, base, port, root, server, p);
            s.awaitReady();
            return s;
        } catch (IOException e) {
            throw new AssertionError("cannot start a PostgreSQL server for the tests: " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    /** A JDBC URL of a new, empty database (one per test class or store). */
    public String newDatabase(String hint) {
        String name = (hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_") + "_"
                + databases.incrementAndGet());
        name = name.length() > 50 ? name.substring(name.length() - 50) : name;
        execute("postgres", "CREATE DATABASE \"" + name + "\"");
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Runs one statement as the superuser in {@code database}. */
    public void execute(String database, String sql) {
        try (Connection c = connect(database); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e.getMessage(), e);
        }
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(url(database), USER, PASSWORD);
    }

    /**
     * A database outage, for a server of its own ({@link #start}): a fast shutdown that keeps the
     * data (every connection is closed, new ones are refused) until {@link #startAgain}.
     */
    public void stopKeepingData() {
        try {
            shutDown();
        } catch (IOException e) {
            throw new AssertionError("cannot stop PostgreSQL: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The server again, on the same port with the same data, after {@link #stopKeepingData}. */
    public void startAgain() {
        try {
            process = builder(asPostgresUser, base, argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("postgres.log").toFile())).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start PostgreSQL again: " + e.getMessage(), e);
        }
        awaitReady();
    }

    /**
     * A database that stops answering (a frozen host, a network cut: connections stay open, nothing
     * comes back): SIGSTOP to the server and every backend, until {@link #thaw}.
     */
    public void freeze() {
        signalAll("-STOP");
    }

    public void thaw() {
        signalAll("-CONT");
    }

    private void signalAll(String signal) {
        List<String> kill = new ArrayList<>(List.of("kill", signal));
        kill.add(String.valueOf(process.pid()));
        process.toHandle().descendants().forEach(h -> kill.add(String.valueOf(h.pid())));
        try {
            Process p = new ProcessBuilder(kill).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // a backend that ended meanwhile (a connection just closed) is not an error
            boolean onlyGone = said.lines().allMatch(l -> l.isBlank() || l.contains("No such process"));
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 && !onlyGone) {
                throw new AssertionError(String.join(" ", kill) + " failed: " + said);
            }
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", kill) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void shutDown() throws IOException, InterruptedException {
        if (process.isAlive()) {
            Process stop = builder(asPostgresUser, base, List.of(binDir.resolve("pg_ctl").toString(), "stop",
                    "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "30"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            stop.waitFor(40, TimeUnit.SECONDS);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Fast shutdown, then the temp dir is deleted. */
    public void stop() {
        try {
            shutDown();
            try (Stream<Path> files = Files.walk(base)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } catch (IOException e) {
            // best effort at exit: a temp dir left behind is harmless
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("PostgreSQL exited at start (exit " + process.exitValue() + "): "
                        + tail(base.resolve("postgres.log")));
            }
            try (Connection c = connect("postgres")) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for PostgreSQL", e);
            }
        }
        process.destroyForcibly();
        throw new AssertionError("PostgreSQL did not accept connections within " + START_TIMEOUT.toSeconds()
                + " s (" + (last == null ? "" : last.getMessage()) + "): " + tail(base.resolve("postgres.log")));
    }

    /** The newest /usr/lib/postgresql/N/bin, else the directory of {@code initdb} on PATH. */
    static Optional<Path> binaries() {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Optional<Path> newest = versions.map(v -> v.resolve("bin"))
                        .filter(PostgresServer::hasServer)
                        .max(Comparator.comparingInt(PostgresServer::majorVersion));
                if (newest.isPresent()) {
                    return newest;
                }
            } catch (IOException e) {
                // fall through to PATH
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path initdb = Path.of(dir.isEmpty() ? "." : dir, "initdb");
            if (Files.isExecutable(initdb)) {
                try {
                    Path real = initdb.toRealPath().getParent();
                    if (hasServer(real)) {
                        return Optional.of(real);
                    }
                } catch (IOException e) {
                    // try the next PATH entry
                }
            }
        }
        return Optional.empty();
    }

    private static boolean hasServer(Path bin) {
        return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("postgres"))
                && Files.isExecutable(bin.resolve("pg_ctl"));
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void run(boolean root, Path base, List<String> argv, Path log) throws IOException {
        Process p = builder(root, base, argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(argv.get(0) + " did not finish within 120 s: " + tail(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + argv.get(0), e);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(argv.get(0) + " failed (exit " + p.exitValue() + "): " + tail(log));
        }
    }

    private static ProcessBuilder builder(boolean root, Path base, List<String> argv) {
        List<String> command = new ArrayList<>();
        if (root) {
            command.addAll(List.of("runuser", "-u", USER, "--"));
        }
        command.addAll(argv);
        ProcessBuilder builder = new ProcessBuilder(command).directory(base.toFile());
        builder.environment().put("LC_ALL", "C");
        return builder;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
