package io.smartrunner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.RunnerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 */
final class RunnerApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PORT_FILE = "http.port";

    private final URI base;
    private final Path tokenFile;
    private final String configuredToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

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
        String bind = cfg.http().bind();
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind.contains(":") ? "[" + bind + "]" : bind;
        this.base = URI.create("http://" + host + ":" + port);
        this.configuredToken = cfg.http().token();
        this.tokenFile = dataDir.resolve("http.token");
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
            HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + (configuredToken != null ? configuredToken : readToken(tokenFile)))
                    .header("X-Smart-Runner-Client", "cli")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = JSON.readTree(response.body());
            if (response.statusCode() / 100 == 2) {
                return json;
            }
            String error = json != null && json.has("error") ? json.get("error").asText() : "HTTP " + response.statusCode();
            int status = response.statusCode();
            throw new SmartRunnerException(error, null, status == 400 || status == 404 ? 2 : 1);
        } catch (IOException e) {
            throw new SmartRunnerException("the runner holds the data dir but its API at " + base
                    + " does not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SmartRunnerException("interrupted");
        }
    }

    /**
     * The runner's {@code GET /readyz} (no token needed) as one line: {@code ready}, or
     * {@code not ready: reason; reason}, or why it did not answer.
     */
    String readiness() {
        try {
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/readyz")).timeout(Duration.ofSeconds(5)).GET()
                    .build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = JSON.readTree(response.body());
            if (response.statusCode() == 200) {
                java.util.List<String> notes = new java.util.ArrayList<>();
                json.path("notes").forEach(n -> notes.add(n.asText()));
                return notes.isEmpty() ? "ready" : "ready; note: " + String.join("; ", notes);
            }
            java.util.List<String> reasons = new java.util.ArrayList<>();
            json.path("reasons").forEach(r -> reasons.add(r.asText()));
            return "not ready: " + (reasons.isEmpty() ? "HTTP " + response.statusCode() : String.join("; ", reasons));
        } catch (IOException e) {
            return "not answering at " + base + "/readyz: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
