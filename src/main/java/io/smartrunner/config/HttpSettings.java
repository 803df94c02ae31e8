package io.smartrunner.config;

/**
 * The {@code http} block (API and dashboard).
 *
 * @param bind  address to listen on [127.0.0.1]
 * @param port  TCP port [7070]; 0 = any free port
 * @param token bearer token for mutations; null = generated into the data dir. A secret.
 */
public record HttpSettings(String bind, int port, String token) {
    public static HttpSettings defaults() {
        return new HttpSettings("127.0.0.1", 7070, null);
    }

    @Override
    public String toString() {
        return "HttpSettings[bind=" + bind + ", port=" + port + ", token=" + (token == null ? "none" : "***") + "]";
    }
}
