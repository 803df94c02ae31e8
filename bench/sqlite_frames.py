#!/usr/bin/env python3
"""WAL frames per crash-loop turn, schema 2 against schema 3 (the partial index of running sessions).

A model of the store's commits in a crash loop: per turn, the profile row upserted, the previous
session of the profile ended, its ended sessions pruned to the newest 20, a new running session
inserted; one transaction. Counts the frames 2 000 turns append to the WAL after 20 000 turns of
warm-up. Run from the project root: python3 bench/sqlite_frames.py
"""
import sqlite3, uuid, os, sys
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
run(False); run(True)
