package io.smartrunner.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventJson;
import io.smartrunner.event.EventKinds;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.WireEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The fleet's event log in the {@code events} table (issue #11.6): every runner's events, in the
 * order they reached the database ({@code seq}), with the runner's name and the lease epoch they
 * were written under. A cursor here is a {@code seq}: an event's cursor is its own seq, a page's
 * {@code first} the seq before its first event, so paging reads as in the local log
 * ({@link io.smartrunner.event.EventLogPages}).
 *
 * <p>A reader follows the table with {@code seq > cursor}, which is only sound if no event becomes
 * visible after one with a higher seq: with writers committing concurrently, a transaction that
 * drew seq 10 and commits after the one that drew 11 would be skipped for good by every live stream
 * and report that read 11 in between. So every transaction that writes events first takes
 * {@link #ORDER_LOCK} (held to its commit) and only then draws its seqs: seq order is commit order.
 * Writers queue on it for the length of one batch's insert and commit, never while holding
 * anything a holder of it waits for (its fenced insert reads leases without locking them).
 *
 * <p>Params are stored as jsonb, which keeps their values but not their order: an event read back
 * from here has the same params as its local line, possibly in another order. Thread-safe.
 */
public final class PostgresEvents {
    /** NOTIFY channel; the payload is the newest seq written. */
    public static final String CHANNEL = "sr_events";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() { };
    private static final String COLUMNS = "ts, runner_name, pod, profile_id, session_id, event, type, params,"
            + " outcome, dur_ms, epoch, incarnation";
    private static final String INSERT = "INSERT INTO events (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?,"
            + " CAST(? AS JSONB), ?, ?, ?, ?)";
    /**
     * Fenced: written only if the writer's incarnation held the profile's lease at that epoch (now or
     * before: {@code lease_epochs}), and, for a session's end, only if the session has none in the
     * table yet (exactly one per session: a cut-off holder's own end and its taker's {@code lost}).
     */
    private static final String INSERT_FENCED = "INSERT INTO events (" + COLUMNS + ") SELECT ?, ?, ?, ?, ?, ?, ?,"
            + " CAST(? AS JSONB), ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM lease_epochs WHERE profile_id = ?"
            + " AND epoch = ? AND holder_incarnation = ?) AND NOT EXISTS (SELECT 1 FROM events WHERE session_id = ?"
            + " AND event IN ('finish', 'error'))";
    /**
     * A session's end without an epoch (a local line sent at a later start, {@code FleetTableCatchUp}:
     * the lease it ran under is long gone), inserted only if the session has none in the table yet:
     * its taker may have closed it as {@code lost} meanwhile (reviewer R18: a runner stopped while
     * PostgreSQL was away sent its sessions' own ends at its next start, after the takers' {@code
     * lost}, and 19 sessions had two ends in the fleet's record).
     */
    private static final String INSERT_END_ONCE = "INSERT INTO events (" + COLUMNS + ") SELECT ?, ?, ?, ?, ?, ?, ?,"
            + " CAST(? AS JSONB), ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM events WHERE session_id = ?"
            + " AND event IN ('finish', 'error'))";
    /** Transaction-scoped advisory lock that orders event writers' commits (see the class comment). */
    static final long ORDER_LOCK = 0x5352_4556_4E54_5351L;
    private static final String TAKE_ORDER = "SELECT pg_advisory_xact_lock(" + ORDER_LOCK + ")";
    private static final String SELECT = "SELECT seq, ts, pod, profile_id, session_id, event, type, params::text,"
            + " outcome, dur_ms FROM events";

    private final DataSource pool;
    private final String where;
    /** How long {@link #insert} waits for each answer of the server (it may run on the engine loop). */
    private final int waitMs;

    PostgresEvents(DataSource pool, String where, int waitMs) {
        this.pool = pool;
        this.where = where;
        this.waitMs = waitMs;
    }

    /** An event to store, with the lease epoch its writer held for its profile (null: not fenced). */
    public record Written(EventRecord event, Long epoch) {
    }

    /**
     * Inserts the batch in one transaction under {@code runner}'s name, then notifies
     * {@link #CHANNEL} (delivered at commit). An event with an epoch is inserted only if
     * {@code incarnation} held the lease of its profile at that epoch (it may have moved on since: the
     * event is still a true record of what ran under it), and a session's end only if that session
     * has no end in the table yet. Event writers are serialised ({@link #ORDER_LOCK}), so two ends of
     * one session cannot both go in.
     *
     * @return the events refused (not stored), in order: an epoch the writer never held, or a
     *         session's second end (with an epoch or without)
     * @throws StoreException the database cannot be written; nothing of the batch is stored
     */
    public List<EventRecord> insert(String runner, long incarnation, List<Written> batch) {
        List<EventRecord> stale = new ArrayList<>();
        try (Connection c = pool.getConnection()) {
            PostgresStateStore.answersWithin(c, waitMs);
            c.setAutoCommit(false);
            try (PreparedStatement plain = c.prepareStatement(INSERT);
                 PreparedStatement fenced = c.prepareStatement(INSERT_FENCED);
                 PreparedStatement endOnce = c.prepareStatement(INSERT_END_ONCE)) {
                // runs of each statement go in order, so seq keeps the order of the local log
                List<EventRecord> guardedRun = new ArrayList<>();
                PreparedStatement current = null;
                takeOrder(c);
                for (Written w : batch) {
                    boolean end = w.event() instanceof EventRecord.SessionEnded && w.event().sessionId() != null;
                    PreparedStatement ps = w.epoch() != null ? fenced : end ? endOnce : plain;
                    if (current != null && ps != current) {
                        flush(current, plain, guardedRun, stale);
                    }
                    current = ps;
                    bind(ps, runner, incarnation, w);
                    if (ps == fenced) {
                        ps.setString(13, w.event().profileId());
                        ps.setLong(14, w.epoch());
                        ps.setLong(15, incarnation);
                        ps.setString(16, end ? w.event().sessionId() : null);
                    } else if (ps == endOnce) {
                        ps.setString(13, w.event().sessionId());
                    }
                    if (ps != plain) {
                        guardedRun.add(w.event());
                    }
                    ps.addBatch();
                }
                if (current != null) {
                    flush(current, plain, guardedRun, stale);
                }
                try (PreparedStatement notify = c.prepareStatement(
                        "SELECT pg_notify('" + CHANNEL + "', CAST((SELECT max(seq) FROM events) AS TEXT))")) {
                    notify.execute();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
        return stale;
    }

    /**
     * Inserts events unfenced in the caller's transaction and notifies {@link #CHANNEL} at its commit:
     * a change written with its row by a command, not a runner ({@link PostgresStateStore#changeUnlessHeld}).
     * {@code writer} must not be a runner's name: a runner's start copies the table's events under its
     * own name that its local log lacks ({@code LocalLogCatchUp}). It takes {@link #ORDER_LOCK} for the
     * rest of the transaction: call it last, just before the commit.
     */
    static void insertIn(Connection c, String writer, List<EventRecord> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        takeOrder(c);
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (EventRecord e : events) {
                bind(ps, writer, null, new Written(e, null));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement notify = c.prepareStatement(
                "SELECT pg_notify('" + CHANNEL + "', CAST((SELECT max(seq) FROM events) AS TEXT))")) {
            notify.execute();
        }
    }

    /** Queues behind every other transaction writing events until it commits: see the class comment. */
    private static void takeOrder(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TAKE_ORDER)) {
            ps.execute();
        }
    }

    /** Executes a run; a guarded (fenced, or a session's end) statement that inserted nothing was refused. */
    private static void flush(PreparedStatement run, PreparedStatement plain, List<EventRecord> guardedRun,
                              List<EventRecord> stale) throws SQLException {
        int[] counts = run.executeBatch();
        if (run != plain) {
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    stale.add(guardedRun.get(i));
                }
            }
            guardedRun.clear();
        }
    }

    /** @param incarnation the writing runner's, null for a command */
    private static void bind(PreparedStatement ps, String runner, Long incarnation, Written w) throws SQLException {
        EventRecord e = w.event();
        WireEvent wire = EventKinds.encode(e); // the table stores the line's words, as the log does
        ps.setTimestamp(1, Timestamp.from(e.ts()));
        ps.setString(2, runner);
        ps.setString(3, e.pod());
        ps.setString(4, e.profileId());
        ps.setString(5, e.sessionId());
        ps.setString(6, wire.event());
        ps.setString(7, wire.type());
        ps.setString(8, paramsJson(e));
        ps.setString(9, wire.outcome());
        if (e.durMs() == null) {
            ps.setNull(10, Types.BIGINT);
        } else {
            ps.setLong(10, e.durMs());
        }
        if (w.epoch() == null) {
            ps.setNull(11, Types.BIGINT);
        } else {
            ps.setLong(11, w.epoch());
        }
        if (incarnation == null) {
            ps.setNull(12, Types.BIGINT);
        } else {
            ps.setLong(12, incarnation);
        }
    }

    /** The params exactly as the log line has them (instants in the line's format). */
    private static String paramsJson(EventRecord e) {
        try {
            return JSON.readTree(EventJson.toLine(e)).get("params").toString();
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("an event line that is not JSON: " + impossible.getMessage(), impossible);
        }
    }

    /** The seq of the newest event (0 when there is none): where a live stream starts. */
    public long end() {
        return query("SELECT COALESCE(max(seq), 0) FROM events", List.of(), rs -> rs.getLong(1)).get(0);
    }

    /** Up to {@code limit} matching events after seq {@code after}, oldest first. */
    public EventLogReader.Page pageAfter(long after, int limit, EventFilter filter) {
        List<Object> args = new ArrayList<>(List.of(after));
        String sql = SELECT + " WHERE seq > ?" + conditions(filter, args) + " ORDER BY seq LIMIT " + limit;
        List<Row> rows = query(sql, args, PostgresEvents::row);
        return page(rows, after, after);
    }

    /** The {@code limit} matching events up to seq {@code before} (inclusive), oldest first. */
    public EventLogReader.Page pageBefore(long before, int limit, EventFilter filter) {
        List<Object> args = new ArrayList<>(List.of(before));
        String sql = "SELECT * FROM (" + SELECT + " WHERE seq <= ?" + conditions(filter, args)
                + " ORDER BY seq DESC LIMIT " + limit + ") newest ORDER BY seq";
        List<Row> rows = query(sql, args, PostgresEvents::row);
        long end = before == Long.MAX_VALUE ? end() : before;
        return page(rows, end, end);
    }

    /**
     * The events earlier runs of this runner's data dir wrote to this table under {@code runner}
     * after {@code last} (the newest event of that runner's own log): the ones a run was stopped
     * before appending locally. The data dir is the one {@code incarnation} (the current run, which
     * has written nothing yet) joined from ({@code incarnations.runner_row}); another machine's run
     * under the same name is not this log's (events written before schema 9, which name no
     * incarnation, are matched by name alone). Empty when {@code last} is not in the table among
     * them (it never reached it), and at most {@code limit}.
     */
    public List<EventRecord> writtenAfter(String runner, long incarnation, EventRecord last, int limit) {
        WireEvent wire = EventKinds.encode(last);
        java.time.Instant ms = last.ts().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<Object> args = new ArrayList<>(List.of(incarnation, incarnation, runner, runner, Timestamp.from(ms),
                Timestamp.from(ms.plusMillis(1)), wire.event()));
        String session = last.sessionId() == null ? " AND session_id IS NULL" : " AND session_id = ?";
        if (last.sessionId() != null) {
            args.add(last.sessionId());
        }
        // the local line has the instant to the millisecond; the table may have it to the microsecond
        // an event written before schema 9 has no incarnation: matched by name alone, as it was then,
        // so a run killed before the upgrade still catches up after it
        String ours = " AND (incarnation IN (SELECT incarnation FROM earlier) OR incarnation IS NULL)";
        String sql = "WITH earlier AS (SELECT incarnation FROM incarnations WHERE runner_row ="
                + " (SELECT runner_row FROM incarnations WHERE incarnation = ?) AND incarnation <> ?) "
                + SELECT + " WHERE runner_name = ?" + ours
                + " AND seq > (SELECT max(seq) FROM events WHERE runner_name = ?" + ours
                + " AND ts >= ? AND ts < ? AND event = ?" + session + ")"
                + " ORDER BY seq LIMIT " + limit;
        return query(sql, args, PostgresEvents::row).stream().map(Row::event).toList();
    }

    /**
     * The newest event earlier runs of this runner's data dir wrote to this table under
     * {@code runner} (the data dir as in {@link #writtenAfter}), or empty when they wrote none.
     */
    public java.util.Optional<EventRecord> newestOfEarlierRuns(String runner, long incarnation) {
        String sql = "WITH earlier AS (SELECT incarnation FROM incarnations WHERE runner_row ="
                + " (SELECT runner_row FROM incarnations WHERE incarnation = ?) AND incarnation <> ?) "
                + SELECT + " WHERE runner_name = ? AND (incarnation IN (SELECT incarnation FROM earlier)"
                + " OR incarnation IS NULL) ORDER BY seq DESC LIMIT 1";
        return query(sql, List.of(incarnation, incarnation, runner), PostgresEvents::row).stream().map(Row::event)
                .findFirst();
    }

    /** Every matching event, oldest first, streamed (the report reads the fleet's history this way). */
    public void forEach(EventFilter filter, Consumer<EventRecord> action) {
        long after = 0;
        while (true) {
            EventLogReader.Page page = pageAfter(after, 5_000, filter);
            page.events().forEach(action);
            if (page.events().isEmpty()) {
                return;
            }
            after = page.next();
        }
    }

    private record Row(long seq, EventRecord event) {
    }

    private static EventLogReader.Page page(List<Row> rows, long emptyFirst, long emptyNext) {
        if (rows.isEmpty()) {
            return new EventLogReader.Page(List.of(), List.of(), emptyFirst, emptyNext);
        }
        return new EventLogReader.Page(rows.stream().map(Row::event).toList(), rows.stream().map(Row::seq).toList(),
                rows.get(0).seq() - 1, rows.get(rows.size() - 1).seq());
    }

    private static String conditions(EventFilter f, List<Object> args) {
        StringBuilder sql = new StringBuilder();
        if (f.pod() != null) {
            sql.append(" AND pod = ?");
            args.add(f.pod());
        }
        if (f.profileId() != null) {
            sql.append(" AND profile_id = ?");
            args.add(f.profileId());
        }
        if (f.event() != null) {
            sql.append(" AND event = ?");
            args.add(f.event());
        }
        return sql.toString();
    }

    private static Row row(ResultSet rs) throws SQLException {
        try {
            LinkedHashMap<String, Object> params = JSON.readValue(rs.getString(8), MAP);
            long dur = rs.getLong(10);
            Long durMs = rs.wasNull() ? null : dur;
            WireEvent w = new WireEvent(rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getString(6), rs.getString(7), params, rs.getString(9),
                    durMs);
            return new Row(rs.getLong(1), EventKinds.decode(w));
        } catch (JsonProcessingException e) {
            throw new SQLException("events row " + rs.getLong(1) + ": params are not JSON: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, List<Object> args, RowReader<T> reader) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(reader.read(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }
}
