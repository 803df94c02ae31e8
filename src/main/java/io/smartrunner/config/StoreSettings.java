package io.smartrunner.config;

/**
 * The {@code store} block: where profile and session state is kept.
 *
 * @param kind     {@link Kind#SQLITE} (one machine, the default) or {@link Kind#POSTGRES} (cluster mode)
 * @param url      postgres only: {@code jdbc:postgresql://host[:port]/database[?params]}; null for sqlite
 * @param user     postgres only: the database user; null = the driver's default (the OS user)
 * @param password postgres only, a secret: never printed (see {@link #toString}); null = none
 * @param poolSize postgres only: connections kept open [4]
 */
public record StoreSettings(Kind kind, String url, String user, String password, int poolSize) {
    public static final int DEFAULT_POOL_SIZE = 4;
    public static final int MAX_POOL_SIZE = 64;

    public enum Kind { SQLITE, POSTGRES }

    public static StoreSettings sqlite() {
        return new StoreSettings(Kind.SQLITE, null, null, null, DEFAULT_POOL_SIZE);
    }

    public static StoreSettings postgres(String url, String user, String password, int poolSize) {
        return new StoreSettings(Kind.POSTGRES, url, user, password, poolSize);
    }

    /** {@code host:port} of a postgres URL (5432 when the URL names none), for messages. */
    public String hostPort() {
        return PostgresUrl.hostPort(url);
    }

    /** The database of a postgres URL, for messages. */
    public String database() {
        return PostgresUrl.database(url);
    }

    @Override
    public String toString() {
        return "StoreSettings[kind=" + kind + ", url=" + (url == null ? null : PostgresUrl.masked(url)) + ", user=" + user + ", password="
                + (password == null ? "none" : "***") + ", poolSize=" + poolSize + "]";
    }
}
