package io.smartrunner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.HttpSettings;
import io.smartrunner.config.RunnerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Talks to the running runner's API for the CLI's control commands: its address from the config
 * (the port the runner actually bound is in {@code <dataDir>/http.port}), its token from
 * {@code http.token} or {@code <dataDir>/http.token}. API errors become one-line CLI errors with
 * exit 2 for a bad request and 1 for a refusal or failure.
 *
 * <p>{@link HttpURLConnection}, not the JDK's {@code HttpClient}: that one keeps a selector thread
 * in {@code epoll_wait} (JDK 17 cannot close it), and HotSpot's exit waits up to 300 ms for any
 * thread in a native call: every control command took 0.3 s longer.
 */
final class RunnerApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final String PORT_FILE = "http.port";

    private final URI base;
    private final Path tokenFile;
    private final String configuredToken;

    RunnerApiClient(RunnerConfig cfg) {
        Path dataDir = cfg.runner().dataDir();
        int port = cfg.http().port();
        try {
            port = Integer.parseInt(Files.readString(dataDir.resolve(PORT_FILE)).strip());
        } catch (NoSuchFileException | NumberFormatException e) {
            // the configured port, then
        } catch (IOException e) {
            throw new SmartRunnerException(dataDir.resolve(PORT_FILE) + ": cannot read: " + e.getMessage());
        }
        this.base = baseUri(cfg.http(), port);
        this.configuredToken = cfg.http().token();
        this.tokenFile = dataDir.resolve("http.token");
    }

    /** Which runner answered, for the controls' lines: host:port of its API (reviewer R: "told the running runner" named none). */
    String address() {
        return base.getAuthority();
    }

    /**
     * The runner's API as this machine reaches it: a wildcard bind through 127.0.0.1, an IPv6
     * address in brackets. The loader only lets addresses through; a URL that still cannot be made
     * of one (settings built in code) is a one-line error, never an exception's trace.
     */
    static URI baseUri(HttpSettings http, int port) {
        String bind = http.bind();
        boolean wildcard = bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]")
                || bind.equals("0:0:0:0:0:0:0:0");
        String host = wildcard ? "127.0.0.1" : http.urlHost();
        try {
            return new URI("http", null, host, port, null, null, null);
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new SmartRunnerException("http.bind: \"" + bind + "\" cannot be reached as a URL ("
                    + e.getMessage() + "), expected an IP address such as 127.0.0.1", null, 2);
        }
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new SmartRunnerException(file + ": cannot read the API token (" + e.getMessage()
                    + "); run as the runner's user or set http.token");
        }
    }

    /** POSTs {@code body} (JSON) to {@code path} and returns the answer's JSON. */
    JsonNode post(String path, Object body) {
        try {
            HttpURLConnection c = open(path, Duration.ofSeconds(30));
            c.setRequestMethod("POST");
            c.setRequestProperty("Content-Type", "application/json");
            if (configuredToken != null && configuredToken.contains("${env:")) { // kept as written: not set here
                throw new SmartRunnerException("http.token is " + configuredToken + ", and that variable is not set"
                        + " in this shell; set it to send the runner controls", null, 2);
            }
            c.setRequestProperty("Authorization", "Bearer "
                    + (configuredToken != null ? configuredToken : readToken(tokenFile)));
            c.setRequestProperty("X-Smart-Runner-Client", "cli");
            c.setDoOutput(true);
            byte[] payload = JSON.writeValueAsBytes(body);
            // streamed, so HttpURLConnection never sends the POST a second time on its own (it
            // retries a buffered one whose answer it failed to read): a control is asked for once
            c.setFixedLengthStreamingMode(payload.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(payload);
            }
            int status = c.getResponseCode();
            JsonNode json = JSON.readTree(body(c, status));
            if (status / 100 == 2) {
                return json;
            }
            String error = json != null && json.has("error") ? json.get("error").asText() : "HTTP " + status;
            if (status == 409) { // the profile's state refused it (ApiHandler's conflict)
                throw new ControlRefused(error);
            }
            if (status == 404 && path.startsWith("/api/profiles/")) { // the runner has no such profile
                throw new ControlRefused(error, 2);
            }
            throw new SmartRunnerException(error, null, status == 400 || status == 404 ? 2 : 1);
        } catch (IOException e) {
            throw new SmartRunnerException("the runner holds the data dir but its API at " + base
                    + " does not answer: " + e.getMessage());
        }
    }

    /**
     * The runner's {@code GET /readyz} (no token needed) as one line: {@code ready}, or
     * {@code not ready: reason; reason}, or why it did not answer.
     */
    String readiness() {
        try {
            HttpURLConnection c = open("/readyz", Duration.ofSeconds(5));
            int status = c.getResponseCode();
            JsonNode json = JSON.readTree(body(c, status));
            if (status == 200) {
                java.util.List<String> notes = new java.util.ArrayList<>();
                json.path("notes").forEach(n -> notes.add(n.asText()));
                return notes.isEmpty() ? "ready" : "ready; note: " + String.join("; ", notes);
            }
            java.util.List<String> reasons = new java.util.ArrayList<>();
            json.path("reasons").forEach(r -> reasons.add(r.asText()));
            return "not ready: " + (reasons.isEmpty() ? "HTTP " + status : String.join("; ", reasons));
        } catch (IOException e) {
            return "not answering at " + base + "/readyz: " + e.getMessage();
        }
    }

    /** A connection to the runner itself: never through a proxy (the API listens on this machine's address). */
    private HttpURLConnection open(String path, Duration timeout) throws IOException {
        HttpURLConnection c = (HttpURLConnection) base.resolve(path).toURL().openConnection(Proxy.NO_PROXY);
        c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        c.setReadTimeout((int) timeout.toMillis());
        c.setUseCaches(false);
        return c;
    }

    /** The answer's body, whatever its status (an error's JSON says why); empty when there is none. */
    private static byte[] body(HttpURLConnection c, int status) throws IOException {
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            return in == null ? new byte[0] : in.readAllBytes();
        }
    }
}
