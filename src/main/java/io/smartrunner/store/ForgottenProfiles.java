package io.smartrunner.store;

import io.smartrunner.event.EventRecord;
import io.smartrunner.profile.ProfileState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Removing profiles that no runner runs any more from the fleet's store (the {@code forget}
 * command): in one transaction, refused for every profile when any is unknown, held by a live
 * runner, or listed in a live runner's published config (schema 13; a live runner that published
 * none is a refusal too: it cannot say what it lists). Otherwise each session its last holder
 * left open gets its one end in the fleet's events (the caller's {@code lost}, unless the table
 * has its end already), the profiles' rows and kept sessions are deleted, their queued controls
 * answered, and their leases freed at a new epoch (a frozen holder coming back cannot write them
 * again). The events stay: they are the history, and the lease rows keep the epochs the events
 * are fenced by.
 */
public final class ForgottenProfiles {
    /** The refusal for a profile the store has no row nor open session of (never run, or forgotten). */
    public static final String UNKNOWN = "no such profile in the fleet's store";

    private ForgottenProfiles() {
    }

    /** A profile about to be forgotten: its row (null: none) and the sessions left open. */
    public record Forgotten(String profileId, ProfileState row, List<TakeoverRows.OpenSession> openSessions) {
    }

    /**
     * @param closing  given each profile, the events its forgetting writes (the {@code lost} ends of
     *                 its open sessions without one, and the {@code forget} event)
     * @param beforeWrite told those events before anything is written (the command's log: event first)
     * @return each refused profile's reason ({@link #UNKNOWN} for one the store never had); empty
     *         when all were forgotten, else nothing was written
     */
    static Map<String, String> forgetIn(Connection c, List<String> profileIds, long ttlMs, String writer,
                                        Function<Forgotten, List<EventRecord>> closing,
                                        Consumer<List<EventRecord>> beforeWrite) throws SQLException {
        Object[] ids = new TreeSet<>(profileIds).toArray();
        Map<String, String> refused = refusals(c, ids, ttlMs);
        if (!refused.isEmpty()) {
            return refused;
        }
        List<String> idList = List.of(ids).stream().map(String.class::cast).toList();
        Map<String, ProfileState> rows = TakeoverRows.profiles(c, idList);
        Map<String, List<TakeoverRows.OpenSession>> open = TakeoverRows.openSessions(c, idList);
        List<EventRecord> events = new ArrayList<>();
        for (String id : idList) {
            events.addAll(closing.apply(new Forgotten(id, rows.get(id), open.getOrDefault(id, List.of()))));
        }
        beforeWrite.accept(events);
        PostgresEvents.insertIn(c, writer, events);
        // the kept sessions go with the row (they reference it); the events are the history
        for (String table : List.of("sessions", "profiles")) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE profile_id = ANY(?)")) {
                ps.setArray(1, c.createArrayOf("text", ids));
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE controls SET applied_by = ?, applied_at = now(),"
                + " result = 'refused: the profile was forgotten (smart-runner forget)'"
                + " WHERE profile_id = ANY(?) AND applied_at IS NULL")) {
            ps.setString(1, writer);
            ps.setArray(2, c.createArrayOf("text", ids));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE leases SET holder = NULL, holder_incarnation = NULL,"
                + " acquired_at = NULL, epoch = epoch + 1 WHERE profile_id = ANY(?) AND holder_incarnation IS NOT NULL")) {
            ps.setArray(1, c.createArrayOf("text", ids));
            ps.executeUpdate();
        }
        return Map.of();
    }

    /** Why each profile cannot be forgotten now; the lease rows are locked for the rest of the transaction. */
    private static Map<String, String> refusals(Connection c, Object[] ids, long ttlMs) throws SQLException {
        Map<String, String> refused = new LinkedHashMap<>();
        // in id order, as the other writers of several lease rows lock them: no cycle of waits
        try (PreparedStatement ps = c.prepareStatement("SELECT profile_id FROM leases WHERE profile_id = ANY(?)"
                + " ORDER BY profile_id FOR UPDATE")) {
            ps.setArray(1, c.createArrayOf("text", ids));
            ps.executeQuery().close();
        }
        // known: a row, or a session left open; a lease row alone is any configured profile's (or a forgotten one's)
        try (PreparedStatement ps = c.prepareStatement("SELECT p.id, EXISTS (SELECT 1 FROM profiles f"
                + " WHERE f.profile_id = p.id) OR EXISTS (SELECT 1 FROM sessions s WHERE s.profile_id = p.id"
                + " AND s.status = 'RUNNING'), (SELECT r.member_name FROM runners r"
                + " WHERE r.incarnation = l.holder_incarnation AND " + PostgresLeases.LIVE + ")"
                + " FROM unnest(?::text[]) AS p(id) LEFT JOIN leases l ON l.profile_id = p.id ORDER BY p.id")) {
            ps.setLong(1, ttlMs);
            ps.setArray(2, c.createArrayOf("text", ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    if (!rs.getBoolean(2)) {
                        refused.put(id, UNKNOWN);
                    } else if (rs.getString(3) != null) {
                        refused.put(id, "runner " + rs.getString(3) + " holds it now");
                    }
                }
            }
        }
        // a live runner whose config lists it takes it again at its next balance; each config parsed
        // once (MATERIALIZED), not once per id: 300 ids against two 400-profile configs took over 1 s
        // that way, and at 10 000 profiles a config, 20 ids about as long (reviewer R5)
        try (PreparedStatement ps = c.prepareStatement("WITH cfg AS MATERIALIZED (SELECT r.member_name,"
                + " r.fleet_config IS NULL AS none, r.fleet_config::jsonb -> 'profiles' AS listed FROM runners r"
                + " WHERE r.member_name IS NOT NULL AND r.forgotten_at IS NULL AND " + PostgresLeases.LIVE + ")"
                + " SELECT cfg.member_name, p.id, cfg.none FROM cfg CROSS JOIN unnest(?::text[]) AS p(id)"
                + " WHERE cfg.none OR jsonb_exists(cfg.listed, p.id) ORDER BY cfg.member_name, p.id")) {
            ps.setLong(1, ttlMs);
            ps.setArray(2, c.createArrayOf("text", ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String runner = rs.getString(1);
                    refused.putIfAbsent(rs.getString(2), rs.getBoolean(3)
                            ? "runner " + runner + " is live and says nothing of what it lists (a version before"
                              + " schema 13): stop or upgrade it first"
                            : "runner " + runner + " lists it in its config (remove it there and reload first)");
                }
            }
        }
        return refused;
    }
}
