package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.HttpSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class RunnerHttpServerTest {
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHealthAndTheDemoSiteOnLoopback() throws Exception {
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null).withDemoSite(true))) {
            assertEquals("{\"status\":\"ok\"}", get(server.port(), "/healthz").body());
            HttpResponse<String> home = get(server.port(), "/demo/");
            assertEquals(200, home.statusCode());
            assertTrue(home.body().contains("<title>Demo home</title>"));
            int traversal = get(server.port(), "/demo/../../etc/passwd").statusCode();
            assertTrue(traversal == 400 || traversal == 404, "dot segments refused: " + traversal);
            assertEquals(404, get(server.port(), "/demo/nope.html").statusCode());
        }
    }

    @Test
    void theDemoSiteIsOffUnlessTheConfigAsksForIt() throws Exception {
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null))) {
            assertEquals(404, get(server.port(), "/demo/").statusCode());
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/demo/maintenance?profile=p"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, post.statusCode());
            assertEquals(200, get(server.port(), "/healthz").statusCode());
        }
    }

    @Test
    void theDemoMaintenanceMapIsBounded() throws Exception {
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null).withDemoSite(true))) {
            int last = 0;
            for (int i = 0; i <= DemoSite.MAX_PROFILES; i++) {
                last = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/demo/maintenance?profile=p" + i)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode();
                if (i < DemoSite.MAX_PROFILES) {
                    assertEquals(200, last, "profile " + i);
                }
            }
            assertEquals(503, last);
            String longId = "x".repeat(DemoSite.MAX_ID_LENGTH + 1);
            assertEquals(400, client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/demo/maintenance?profile=" + longId)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    /** Reviewer R16 F5: a POST without ?profile= was a text/plain 405 with Allow: POST. */
    @Test
    void aDemoMaintenancePostWithoutAProfileIsA400NamingTheParameter() throws Exception {
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null).withDemoSite(true))) {
            URI maintenance = URI.create("http://127.0.0.1:" + server.port() + "/demo/maintenance");
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(maintenance)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(400, post.statusCode(), post.body());
            assertEquals("application/json", post.headers().firstValue("Content-Type").orElse(""));
            assertEquals("{\"error\":\"profile: missing; expected POST /demo/maintenance?profile=ID, the profile whose"
                    + " home page is down for its next load\"}", post.body());
            HttpResponse<String> get = get(server.port(), "/demo/maintenance?profile=p1");
            assertEquals(405, get.statusCode());
            assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
            assertEquals("{\"error\":\"no such route: GET /demo/maintenance; use POST\"}", get.body());
        }
    }

    @Test
    void refusesANonLoopbackBindWithoutAToken() {
        SmartRunnerException e = assertThrows(SmartRunnerException.class,
                () -> RunnerHttpServer.start(new HttpSettings("0.0.0.0", 0, null)));
        assertTrue(e.getMessage().contains("http.token"), e.getMessage());
    }

    @Test
    void aTakenPortIsAOneLineError() {
        try (RunnerHttpServer first = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null))) {
            SmartRunnerException e = assertThrows(SmartRunnerException.class,
                    () -> RunnerHttpServer.start(new HttpSettings("127.0.0.1", first.port(), null)));
            assertTrue(e.getMessage().contains(":" + first.port()) && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void servingSoonStillReportsATakenPortAtOnceAndNothingInTheBackground() {
        java.util.List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (RunnerHttpServer first = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null))) {
            SmartRunnerException e = assertThrows(SmartRunnerException.class,
                    () -> RunnerHttpServer.startServingSoon(new HttpSettings("127.0.0.1", first.port(), null), null,
                            null, null, told::add));
            assertTrue(e.getMessage().contains(":" + first.port()), e.getMessage());
        }
        assertEquals(java.util.List.of(), told);
    }

    @Test
    void servingSoonAnswersARequestMadeTheMomentItReturns() throws Exception {
        java.util.List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (RunnerHttpServer server = RunnerHttpServer.startServingSoon(new HttpSettings("127.0.0.1", 0, null), null,
                null, null, told::add)) {
            // bound already: the connection waits in the backlog until Jetty has started
            assertEquals("{\"status\":\"ok\"}", get(server.port(), "/healthz").body());
        }
        assertEquals(java.util.List.of(), told);
    }

    /**
     * Reviewer R13: under {@code ulimit -n 64} Jetty's start threw an {@link Error}
     * (UnsatisfiedLinkError: "Too many open files"); only exceptions were caught, and the runner
     * went on with nothing on its port. Any failure is said in one line now (the runner stops).
     */
    @Test
    void anErrorWhileStartingToServeIsSaidInOneLineLikeAnException() {
        java.util.List<String> said = new java.util.ArrayList<>();
        java.util.concurrent.CompletableFuture<org.eclipse.jetty.server.Server> serving =
                new java.util.concurrent.CompletableFuture<>();

        RunnerHttpServer.serveOrSay(() -> {
            throw new UnsatisfiedLinkError("/usr/lib/jvm/java-17-openjdk-amd64/lib/libmanagement.so: cannot open shared"
                    + " object file: Too many open files");
        }, serving, said::add, "127.0.0.1:7070");

        assertEquals(java.util.List.of("http: cannot serve on 127.0.0.1:7070: UnsatisfiedLinkError: /usr/lib/jvm/"
                + "java-17-openjdk-amd64/lib/libmanagement.so: cannot open shared object file: Too many open files"), said);
        assertTrue(serving.isCompletedExceptionally());
    }
}
