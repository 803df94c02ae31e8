#!/usr/bin/env python3
"""WAL frames per crash-loop turn, schema 2 against schema 3 (the partial index of running sessions);
then WAL frames per session in a fleet, random (version 4) session ids against ids in start order
(version 7, what SessionIds makes).

A model of the store's commits in a crash loop: per turn, the profile row upserted, the previous
session of the profile ended, its ended sessions pruned to the newest 20, a new running session
inserted; one transaction. Counts the frames 2 000 turns append to the WAL after 20 000 turns of
warm-up. The fleet model: 10 000 profiles, 1 000 sessions running; each step ends the oldest
running session (its row and its profile's) and starts the next profile's (a row inserted, the
profile's upserted); a commit holds BATCH steps (the loop commits once a turn: a few in a fleet);
frames per session over 20 000 sessions after 100 000 of warm-up. Run from the project root:
python3 bench/sqlite_frames.py
"""
import sqlite3, uuid, os, sys, random
def run(v3, profiles=32, turns=20000, kept=20):
    f=os.path.join(os.environ.get("TMPDIR", "/tmp"), "sr-sqlite-frames.db")
    for x in (f, f+"-wal", f+"-shm"):
        if os.path.exists(x): os.remove(x)
    c=sqlite3.connect(f, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA wal_autocheckpoint=0")
    c.executescript(open("src/main/resources/db/sqlite/V1__init.sql").read())
    if v3: c.executescript(open("src/main/resources/db/sqlite/V3__running_sessions_index.sql").read())
    run_sid={}
    def turn(i):
        p="crash%02d"%(i%profiles); t=i
        c.execute("BEGIN IMMEDIATE")
        c.execute("INSERT INTO profiles (profile_id,pod,last_session_id,last_error) VALUES (?,?,?,?) ON CONFLICT(profile_id) DO UPDATE SET error_streak=profiles.error_streak+1, last_error=excluded.last_error, row_version=profiles.row_version+1",(p,"bench","x","exited with code 1"))
        if p in run_sid:
            c.execute("UPDATE sessions SET status='FAILED', ended_at_ms=?, reason='exit', exit_code=1 WHERE session_id=?",(t,run_sid[p]))
            c.execute("DELETE FROM sessions WHERE profile_id = ?1 AND status <> 'RUNNING' AND started_at_ms < (SELECT started_at_ms FROM sessions WHERE profile_id = ?1 ORDER BY started_at_ms DESC LIMIT 1 OFFSET ?2)",(p,kept))
        s=str(uuid.uuid4()); run_sid[p]=s
        c.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?)",(s,p,"bench",1234,5678,1234,t,"RUNNING",None,None,None))
        c.execute("COMMIT")
    for i in range(turns): turn(i)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    n=2000
    for i in range(turns, turns+n): turn(i)
    log=c.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    print(("v3" if v3 else "v2"), "frames per turn %.2f" % (log/n))
def uuid7(millis, rnd):
    r = rnd.getrandbits(74)
    return str(uuid.UUID(int=(millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (r >> 62) << 64 | 0b10 << 62 | (r & ((1 << 62) - 1))))
def fleet(v7, batch, profiles=10000, conc=1000, warm=100000, n=20000):
    f=os.path.join(os.environ.get("TMPDIR", "/tmp"), "sr-sqlite-fleet-frames.db")
    for x in (f, f+"-wal", f+"-shm"):
        if os.path.exists(x): os.remove(x)
    c=sqlite3.connect(f, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA wal_autocheckpoint=0")
    for name in ("V1__init.sql", "V2__ladder_stats.sql", "V3__running_sessions_index.sql"):
        c.executescript(open("src/main/resources/db/sqlite/" + name).read())
    rnd=random.Random(1); running=[]; queue=list(range(profiles)); t=[1_700_000_000_000]
    def upsert(p):
        c.execute("INSERT INTO profiles (profile_id,pod,last_session_id) VALUES (?,?,?) ON CONFLICT(profile_id) DO UPDATE SET last_session_id=excluded.last_session_id, row_version=profiles.row_version+1",("p%05d"%p,"pod%d"%(p%10),"x"*36))
    def step():
        t[0]+=1
        if len(running)>=conc:
            p,s=running.pop(0)
            c.execute("UPDATE sessions SET status='FINISHED', ended_at_ms=?, exit_code=0 WHERE session_id=?",(t[0],s))
            upsert(p); queue.append(p)
        p=queue.pop(0)
        s=uuid7(t[0], rnd) if v7 else str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        c.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?)",(s,"p%05d"%p,"pod%d"%(p%10),1234,5678,1234,t[0],"RUNNING",None,None,None))
        upsert(p); running.append((p,s))
    def go(k):
        for i in range(k//batch):
            c.execute("BEGIN IMMEDIATE")
            for j in range(batch): step()
            c.execute("COMMIT")
    go(warm); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); go(n)
    log=c.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    print("fleet, %s ids, %2d sessions a commit: frames per session %.2f" % ("v7" if v7 else "v4", batch, log/n))
run(False); run(True)
for b in (4, 16):
    fleet(False, b); fleet(True, b)
