package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.testkit.Await;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Upgrading a fleet's schema (reviewer R4): only a runner's start takes the one-way step, and says
 * so; a command refuses an older schema; an upgrade that meets a lock (a pg_dump, a transaction left
 * open) waits in bounded attempts, naming who holds it, instead of queueing the whole fleet behind it.
 */
class PostgresSchemaUpgradeTest {
    private final PostgresServer server = PostgresServer.shared();

    private static StoreSettings settings(String url) {
        return StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2);
    }

    /** A database at schema 12, as the release before schema 13 left it (V13 taken back). */
    private String atSchema12(String hint) throws Exception {
        assertEquals(13, PostgresMigrations.LATEST, "a new migration: take it back here too");
        String url = server.newDatabase(hint);
        try (PostgresStateStore store = PostgresStateStore.open(settings(url), "r1")) {
            store.runnerId();
        }
        server.execute(name(url), "ALTER TABLE runners DROP COLUMN fleet_config, DROP COLUMN fleet_config_digest;"
                + " DELETE FROM schema_version WHERE version = 13");
        return url;
    }

    private static String name(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private int version(String url) throws Exception {
        try (Connection c = server.connect(name(url)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT max(version) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aCommandRefusesAnOlderSchemaAndARunnersStartUpgradesItSayingItIsOneWay() throws Exception {
        String url = atSchema12("upgrade_refused");

        StoreException refused = assertThrows(StoreException.class, () -> PostgresStateStore.open(settings(url), "cli",
                2, 1000, SchemaUpgrade.REFUSED));
        assertEquals("PostgreSQL at 127.0.0.1:" + server.port() + ": schema version 12 is older than this release's (13):"
                + " a runner of this release upgrades it when it starts ('smart-runner run'), one way (docs/cluster.md,"
                + " \"Upgrading a fleet\"); nothing was changed", refused.getMessage());
        assertEquals(12, version(url));

        List<String> said = new CopyOnWriteArrayList<>();
        try (PostgresStateStore store = PostgresStateStore.open(settings(url), "r2", 2, 1000, SchemaUpgrade.by(said::add))) {
            store.runnerId();
        }
        assertEquals(13, version(url));
        assertEquals(List.of("PostgreSQL at 127.0.0.1:" + server.port() + ": upgrading the schema from version 12 to 13,"
                + " one way: runners of an older release cannot start on it afterwards (to go back, restore a pg_dump"
                + " taken before; docs/cluster.md, \"Upgrading a fleet\")"), said);

        // a new, empty database is set up by any command: there is no older release on it to lock out
        String fresh = server.newDatabase("upgrade_fresh");
        try (PostgresStateStore store = PostgresStateStore.open(settings(fresh), "cli", 2, 1000, SchemaUpgrade.REFUSED)) {
            store.runnerId();
        }
        assertEquals(13, version(fresh));
    }

    @Test
    void anUpgradeThatMeetsALockSaysWhoHoldsItAndTheFleetIsNotQueuedBehindIt() throws Exception {
        String url = atSchema12("upgrade_locked");
        List<String> said = new CopyOnWriteArrayList<>();
        try (Connection holder = server.connect(name(url)); Connection runner = server.connect(name(url))) {
            holder.createStatement().execute("SET application_name = 'the-holder'");
            holder.setAutoCommit(false);
            holder.createStatement().executeQuery("SELECT count(*) FROM runners").close(); // an open reader, as pg_dump

            CompletableFuture<Void> upgrade = CompletableFuture.runAsync(() -> {
                try (PostgresStateStore store = PostgresStateStore.open(settings(url), "r2", 2, 1000,
                        SchemaUpgrade.by(said::add))) {
                    store.runnerId();
                }
            });
            Await.until("the upgrade says what it waits for", Duration.ofSeconds(60),
                    () -> said.stream().anyMatch(l -> l.contains("waits for a lock")));
            String waiting = said.stream().filter(l -> l.contains("waits for a lock")).findFirst().orElseThrow();
            assertTrue(waiting.contains("the-holder, idle in transaction, for "), waiting);

            // meanwhile an older runner's heartbeat goes through (it would have queued behind the ALTER for good)
            try (Statement st = runner.createStatement()) {
                st.execute("SET statement_timeout = 30000");
                assertEquals(0, st.executeUpdate("UPDATE runners SET heartbeat_at = now() WHERE name = 'none'"));
            }
            assertEquals(12, version(url), "not upgraded while the lock is held");

            holder.commit();
            upgrade.get(60, TimeUnit.SECONDS);
        }
        assertEquals(13, version(url));
        assertTrue(said.get(said.size() - 1).contains(": schema upgraded after waiting "), said.toString());
    }
}
