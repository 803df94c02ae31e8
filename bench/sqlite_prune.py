#!/usr/bin/env python3
"""The sessions table of schema 3 (rowid table, indexes on session_id and on (profile_id,
started_at_ms)) against schema 4's (WITHOUT ROWID, keyed by profile, start and id): WAL frames,
SQLite's CPU and the file's size per session, on a fresh store and on a full one.

Crash-loop model: 32 profiles taking turns; per turn the profile row upserted, the profile's
previous session ended (its row updated by its key, as SqliteRows.UPDATE_SESSION does), every 100th
end of a profile its ended sessions pruned to the newest 1 000 (SessionRetention, PRUNE_SESSIONS),
a new running session inserted; one transaction a turn. "fresh" measures after 2 000 turns, "full"
after 40 000 (every profile past its 1 000 kept, so each prune deletes ~100 rows). Fleet model:
10 000 profiles, 200 running, sessions of one profile ending and the next profile's starting, 4 a
commit, 20 kept a profile (so the full store's steady state is reached in minutes, not hours).
Each figure after a checkpoint, over the next 5 000 turns / 20 000 sessions. 1 KiB pages, as the
runner's new stores. CPU is this process's (Python's sqlite3 module), so compare the two schemas,
not the absolute figures. Run from the project root: python3 bench/sqlite_prune.py [crash|fleet]
"""
import sqlite3, uuid, os, sys, random, time

SCHEMA = "src/main/resources/db/sqlite/"
VERSIONS = {3: ["V1__init.sql", "V2__ladder_stats.sql", "V3__running_sessions_index.sql"]}
VERSIONS[4] = VERSIONS[3] + ["V4__sessions_by_profile.sql"]
UPDATE = ("UPDATE sessions SET status = ?3, ended_at_ms = ?4, reason = ?5, exit_code = ?6"
          " WHERE session_id = ?1 AND profile_id = ?2 AND started_at_ms = ?7")
PRUNE = ("DELETE FROM sessions WHERE profile_id = ?1 AND status <> 'RUNNING' AND started_at_ms <"
         " (SELECT started_at_ms FROM sessions WHERE profile_id = ?1 ORDER BY started_at_ms DESC LIMIT 1 OFFSET ?2)")
INSERT = ("INSERT INTO sessions (session_id, profile_id, pod, pid, pid_start_ticks, pgid, started_at_ms, status)"
          " VALUES (?, ?, ?, 1234, 5678, 1234, ?, 'RUNNING')")
PROFILE = ("INSERT INTO profiles (profile_id, pod, last_session_id) VALUES (?, ?, ?) ON CONFLICT (profile_id)"
           " DO UPDATE SET last_session_id = excluded.last_session_id, error_streak = profiles.error_streak + 1,"
           " row_version = profiles.row_version + 1")

def open_store(name, version):
    f = os.path.join(os.environ.get("TMPDIR", "/tmp"), name)
    for x in (f, f + "-wal", f + "-shm"):
        if os.path.exists(x):
            os.remove(x)
    c = sqlite3.connect(f, isolation_level=None)
    for p in ("page_size = 1024", "journal_mode = WAL", "wal_autocheckpoint = 0", "synchronous = NORMAL",
              "foreign_keys = ON"):
        c.execute("PRAGMA " + p)
    for script in VERSIONS[version]:
        c.executescript(open(SCHEMA + script).read())
    return c, f

def uuid7(millis, rnd):
    r = rnd.getrandbits(74)
    return str(uuid.UUID(int=(millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (r >> 62) << 64 | 0b10 << 62 | (r & ((1 << 62) - 1))))

class Retention:
    def __init__(self, kept):
        self.kept, self.every, self.ended = kept, max(1, kept // 10), {}
    def ended_one(self, c, profile):
        n = self.ended.get(profile, 0) + 1
        self.ended[profile] = 0 if n >= self.every else n
        if n >= self.every:
            c.execute(PRUNE, (profile, self.kept - 1))

def measure(c, f, step, warm, n):
    for i in range(warm):
        step(i)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    cpu = time.process_time()
    for i in range(warm, warm + n):
        step(i)
    cpu = time.process_time() - cpu
    frames = c.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    rows = c.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    return frames / n, cpu / n * 1e6, os.path.getsize(f) / max(rows, 1)

def crash(version, warm, n=5000, profiles=32, kept=1000):
    c, f = open_store("sr-sqlite-prune.db", version)
    rnd, running, retention = random.Random(1), {}, Retention(kept)
    def turn(i):
        p, t = "crash%02d" % (i % profiles), 1_700_000_000_000 + i
        c.execute("BEGIN IMMEDIATE")
        c.execute(PROFILE, (p, "bench", "x" * 36))
        if p in running:
            s, started = running[p]
            c.execute(UPDATE, (s, p, "FAILED", t, "exit", 1, started))
            retention.ended_one(c, p)
        s = uuid7(t, rnd)
        running[p] = (s, t)
        c.execute(INSERT, (s, p, "bench", t))
        c.execute("COMMIT")
    return measure(c, f, turn, warm, n)

def fleet(version, batch=4, profiles=10000, conc=200, warm=300000, n=20000, kept=20):
    c, f = open_store("sr-sqlite-prune-fleet.db", version)
    rnd, running, queue, retention = random.Random(1), [], ["p%05d" % p for p in range(profiles)], Retention(kept)
    def step(i):
        t = 1_700_000_000_000 + i
        if len(running) >= conc:
            p, s, started = running.pop(0)
            c.execute(UPDATE, (s, p, "FINISHED", t, None, 0, started))
            retention.ended_one(c, p)
            c.execute(PROFILE, (p, "pod", "x" * 36))
            queue.append(p)
        p = queue.pop(0)
        s = uuid7(t, rnd)
        c.execute(INSERT, (s, p, "pod%s" % p[-1], t))
        c.execute(PROFILE, (p, "pod", s))
        running.append((p, s, t))
    def commit_of(k):
        c.execute("BEGIN IMMEDIATE")
        for j in range(batch):
            step(k * batch + j)
        c.execute("COMMIT")
    return measure(c, f, commit_of, warm // batch, n // batch)

if __name__ == "__main__":
    what = sys.argv[1:] or ["crash", "fleet"]
    if "crash" in what:
        for warm, label in ((2000, "fresh"), (40000, "full ")):
            for v in (3, 4):
                frames, cpu, size = crash(v, warm)
                print("crash loop, %s store, schema %d: %5.2f WAL frames a turn, %5.1f us CPU, %4.0f bytes a kept session"
                      % (label, v, frames, cpu, size))
    if "fleet" in what:
        for v in (3, 4):
            frames, cpu, size = fleet(v)
            print("fleet, full store (20 kept), schema %d: %5.2f WAL frames a session, %5.1f us CPU, %4.0f bytes a kept session"
                  % (v, frames / 4, cpu / 4, size))
