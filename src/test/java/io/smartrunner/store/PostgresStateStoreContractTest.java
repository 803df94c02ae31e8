package io.smartrunner.store;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.testkit.PostgresServer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on a real PostgreSQL server ({@link PostgresServer}). Each test gets a schema
 * of its own in one database (named from its temp dir); a runner is named by the dir it is opened
 * with, so {@code newStore(dir.resolve("a"))} and {@code ("b")} are two runners of one database.
 */
class PostgresStateStoreContractTest extends StateStoreContractTest {
    private static String databaseUrl;

    @BeforeAll
    static void database() {
        databaseUrl = PostgresServer.shared().newDatabase("contract");
    }

    @Override
    protected StateStore newStore(Path runnerDir) {
        String schema = "t_" + Integer.toHexString(dir.toString().hashCode()).replace('-', 'm');
        String url = databaseUrl + "?currentSchema=" + schema;
        try (var c = java.sql.DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             var st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        return PostgresStateStore.open(StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2),
                "test:" + runnerDir);
    }
}
