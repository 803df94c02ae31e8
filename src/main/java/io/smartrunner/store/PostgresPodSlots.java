package io.smartrunner.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pod slots in the {@code pod_slots} table (docs/cluster-placement.md): a pod's {@code concurrency}
 * across the fleet. A slot names the runner incarnation holding it and is live by the same rule as
 * a profile lease ({@link PostgresLeases#LIVE}, the database clock): one heartbeat renews all of a
 * runner's slots, a runner whose heartbeat expired has lost them. Acquisition is the leases' one:
 * rows {@code FOR UPDATE SKIP LOCKED}, then the previous holders re-checked under {@code FOR SHARE}.
 */
public final class PostgresPodSlots {
    private final PostgresWork db;

    PostgresPodSlots(DirectConnection own, String where) {
        this.db = new PostgresWork(own, where);
    }

    /** Creates slot rows 0..concurrency-1 of each pod that do not exist yet (rows above stay, unused). */
    public void ensure(Map<String, Integer> concurrency) {
        if (concurrency.isEmpty()) {
            return;
        }
        List<String> pods = new ArrayList<>(concurrency.keySet());
        Integer[] counts = pods.stream().map(concurrency::get).toArray(Integer[]::new);
        db.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pod_slots (pod, slot)"
                    + " SELECT p.pod, generate_series(0, p.c - 1) FROM unnest(?::text[], ?::int[]) AS p(pod, c)"
                    + " ON CONFLICT (pod, slot) DO NOTHING")) {
                ps.setArray(1, c.createArrayOf("text", pods.toArray()));
                ps.setArray(2, c.createArrayOf("integer", counts));
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The slots this incarnation holds in the database, by pod. */
    public Map<String, Set<Integer>> heldBy(long incarnation) {
        return db.run(c -> {
            Map<String, Set<Integer>> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pod, slot FROM pod_slots WHERE holder_incarnation = ?")) {
                ps.setLong(1, incarnation);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), k -> new TreeSet<>()).add(rs.getInt(2));
                    }
                }
            }
            return out;
        });
    }

    /** One live runner's part of a pod: profiles it holds that may run (not paused), slots it holds. */
    public record Share(int weight, int slots) {
    }

    /**
     * Each pod's live runners, by incarnation, with their {@link Share}; and the database's clock in
     * whole minutes ({@code turn}), the same for every runner asking in that minute.
     */
    public record Shares(long turn, Map<String, Map<Long, Share>> byPod) {
    }

    /**
     * What every runner balances its pod slots by: per pod, each live runner's leases of profiles
     * that may run (a paused one's lease weighs nothing until its pause has ended) and the slots it
     * holds, all from one read.
     */
    public Shares shares(Map<String, String> podOfProfile, long ttlMs) {
        List<String> ids = new ArrayList<>(podOfProfile.keySet());
        String[] pods = ids.stream().map(podOfProfile::get).toArray(String[]::new);
        return db.run(c -> {
            Map<String, Map<Long, Share>> out = new HashMap<>();
            long turn;
            try (PreparedStatement ps = c.prepareStatement("WITH w AS (SELECT p.pod, l.holder_incarnation AS inc,"
                    + " count(*) FILTER (WHERE f.profile_id IS NULL OR NOT f.paused OR f.paused_until <= now()) AS n"
                    + " FROM unnest(?::text[], ?::text[]) AS p(id, pod) JOIN leases l ON l.profile_id = p.id"
                    + " JOIN runners r ON r.incarnation = l.holder_incarnation LEFT JOIN profiles f ON f.profile_id = p.id"
                    + " WHERE " + PostgresLeases.LIVE + " GROUP BY 1, 2),"
                    + " s AS (SELECT s.pod, s.holder_incarnation AS inc, count(*) AS n FROM pod_slots s"
                    + " JOIN runners r ON r.incarnation = s.holder_incarnation WHERE " + PostgresLeases.LIVE
                    + " GROUP BY 1, 2)"
                    + " SELECT COALESCE(w.pod, s.pod), COALESCE(w.inc, s.inc), COALESCE(w.n, 0), COALESCE(s.n, 0),"
                    + " floor(EXTRACT(EPOCH FROM now()) / 60)::BIGINT FROM w FULL JOIN s ON s.pod = w.pod AND s.inc = w.inc"
                    + " UNION ALL SELECT NULL, NULL, 0, 0, floor(EXTRACT(EPOCH FROM now()) / 60)::BIGINT")) {
                ps.setArray(1, c.createArrayOf("text", ids.toArray()));
                ps.setArray(2, c.createArrayOf("text", pods));
                ps.setLong(3, ttlMs);
                ps.setLong(4, ttlMs);
                turn = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        turn = rs.getLong(5);
                        if (rs.getString(1) != null) {
                            out.computeIfAbsent(rs.getString(1), k -> new HashMap<>())
                                    .put(rs.getLong(2), new Share(rs.getInt(3), rs.getInt(4)));
                        }
                    }
                }
            }
            return new Shares(turn, out);
        });
    }

    /**
     * Takes up to {@code limit} slots of the pod below {@code concurrency} that are free or whose
     * holder is not live, lowest first; none when this incarnation is not live itself.
     */
    public List<Integer> acquire(long incarnation, String pod, int concurrency, int limit, long ttlMs) {
        if (limit <= 0) {
            return List.of();
        }
        return db.inTransaction(c -> {
            Map<Integer, Long> previous = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT s.slot, s.holder_incarnation FROM pod_slots s"
                    + " WHERE s.pod = ? AND s.slot < ? AND s.holder_incarnation IS DISTINCT FROM ?"
                    + " AND NOT EXISTS (SELECT 1 FROM runners r WHERE r.incarnation = s.holder_incarnation AND "
                    + PostgresLeases.LIVE + ") ORDER BY s.slot LIMIT ? FOR UPDATE OF s SKIP LOCKED")) {
                ps.setString(1, pod);
                ps.setInt(2, concurrency);
                ps.setLong(3, incarnation);
                ps.setLong(4, ttlMs);
                ps.setInt(5, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        previous.put(rs.getInt(1), (Long) rs.getObject(2));
                    }
                }
            }
            if (previous.isEmpty()) {
                return List.<Integer>of();
            }
            Set<Long> check = new HashSet<>();
            previous.values().stream().filter(v -> v != null).forEach(check::add);
            check.add(incarnation);
            Set<Long> live = PostgresLeases.liveLocked(c, check, ttlMs);
            if (!live.contains(incarnation)) {
                return List.<Integer>of();
            }
            previous.values().removeIf(live::contains); // a heartbeat landed meanwhile: still held
            if (previous.isEmpty()) {
                return List.<Integer>of();
            }
            List<Integer> got = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("UPDATE pod_slots SET holder_incarnation = ?,"
                    + " epoch = epoch + 1 WHERE pod = ? AND slot = ANY(?) RETURNING slot")) {
                ps.setLong(1, incarnation);
                ps.setString(2, pod);
                ps.setArray(3, c.createArrayOf("integer", previous.keySet().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        got.add(rs.getInt(1));
                    }
                }
            }
            return got;
        });
    }

    /** Frees these slots of the pod if this incarnation holds them. */
    public int release(long incarnation, String pod, Collection<Integer> slots) {
        if (slots.isEmpty()) {
            return 0;
        }
        return db.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE pod_slots SET holder_incarnation = NULL"
                    + " WHERE pod = ? AND slot = ANY(?) AND holder_incarnation = ?")) {
                ps.setString(1, pod);
                ps.setArray(2, c.createArrayOf("integer", slots.toArray()));
                ps.setLong(3, incarnation);
                return ps.executeUpdate();
            }
        });
    }

    /** A graceful stop: frees every slot of this incarnation at once. */
    public int releaseAll(long incarnation) {
        return db.run(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE pod_slots SET holder_incarnation = NULL WHERE holder_incarnation = ?")) {
                ps.setLong(1, incarnation);
                return ps.executeUpdate();
            }
        });
    }
}
