#!/usr/bin/env python3
"""Cluster scale driver (run through bench/cluster-scale.sh ROOT): a throwaway PostgreSQL (durable
defaults), RUNNERS runners that all list the same PROFILES profiles (FLEET=shared, the default: with
leases each runner runs about PROFILES / RUNNERS of them; FLEET=split gives each runner its own
PROFILES / RUNNERS, disjoint), WARMUP_SECONDS to let the start-up
burst pass, then a MEASURE_SECONDS window: database statistics and CPU ticks are read at both ends.
Then a graceful stop and scale_check.py prints the table from bench/out/cluster-scale/.

Saved there: snapshots.json (pg_stat_user_tables, pg_stat_statements when the server has it,
pg_stat_database, CPU ticks of the PostgreSQL processes and of each runner JVM, at the window's
start and end), meta.json, r*/logs/events.jsonl* (each runner's event log).
"""
import json
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import env_int, say  # noqa: E402

TAG = "cluster-scale"
ROOT = os.path.realpath(sys.argv[1])
OUT = os.path.join(ROOT, "bench", "out", "cluster-scale")
CHILD = os.path.join(OUT, "stamp_child")

RUNNERS = env_int("RUNNERS", 3)
PROFILES = env_int("PROFILES", 6000)
WARMUP_SECONDS = env_int("WARMUP_SECONDS", 60)
MEASURE_SECONDS = env_int("MEASURE_SECONDS", 120)
SESSION_MIN_MS = env_int("SESSION_MIN_MS", 1000)
SESSION_MAX_MS = env_int("SESSION_MAX_MS", 3000)
COOLDOWN_MS = env_int("COOLDOWN_MS", 60000)
START_JITTER_MS = env_int("START_JITTER_MS", 60000)
GLOBAL_CONCURRENCY = env_int("GLOBAL_CONCURRENCY", 400)
LEASE_TTL_MS = env_int("LEASE_TTL_MS", 15000)
RENEW_EVERY_MS = env_int("RENEW_EVERY_MS", 2000)
RENEW_DEADLINE_MS = env_int("RENEW_DEADLINE_MS", 10000)
POOL_SIZE = env_int("POOL_SIZE", 4)
# shared: every runner lists every profile (cluster mode's deployment: leases divide them);
# split: runner i lists only its own PROFILES / RUNNERS (how several runners share a database before leases)
FLEET = os.environ.get("FLEET", "shared")
STATEMENTS_SO = "pg_stat_statements.so"


def snapshot(pg, runners):
    tables = {}
    for row in pg.query("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables"):
        tables[row[0]] = {"ins": int(row[1]), "upd": int(row[2]), "del": int(row[3])}
    statements = None
    if pg.statements:
        statements = [{"query": q, "calls": int(c), "rows": int(r)} for q, c, r in pg.query(
            "SELECT regexp_replace(query, '\\s+', ' ', 'g'), calls, rows FROM pg_stat_statements"
            " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'smartrunner')")]
    commits = int(pg.query("SELECT xact_commit FROM pg_stat_database WHERE datname = 'smartrunner'")[0][0])
    return {"mono": time.monotonic_ns(), "wall": time.time_ns(), "tables": tables, "statements": statements,
            "commits": commits, "pgTicks": pg.cpu_ticks(),
            "runnerTicks": {r.name: common.proc_ticks(r.proc.pid) for r in runners},
            "loadavg": open("/proc/loadavg").read().split()[:3]}


def main():
    if os.path.isdir(OUT):
        for name in os.listdir(OUT):
            if name not in ("stamp_child", "build.log"):
                p = os.path.join(OUT, name)
                shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
    os.makedirs(OUT, exist_ok=True)
    work = os.path.join(OUT, "work")
    os.makedirs(work)
    preload = os.path.exists(os.path.join(common.pg_binaries() or "/nonexistent", "..", "lib", STATEMENTS_SO))
    say(TAG, "starting PostgreSQL" + (" with pg_stat_statements" if preload else ""))
    pg = common.PgServer(TAG, fast=os.environ.get("PG_FAST") == "1",
                         settings=["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all"]
                         if preload else [])
    pg.statements = preload and pg.query("CREATE EXTENSION pg_stat_statements", check=False) is not None
    runners = []

    def interrupted(*_):
        raise SystemExit(130)   # the finally below stops everything
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    meta = {"runners": [], "profiles": PROFILES, "warmupSeconds": WARMUP_SECONDS, "measureSeconds": MEASURE_SECONDS,
            "sessionMs": [SESSION_MIN_MS, SESSION_MAX_MS], "cooldownMs": COOLDOWN_MS, "startJitterMs": START_JITTER_MS,
            "globalConcurrency": GLOBAL_CONCURRENCY, "poolSize": POOL_SIZE, "clkTck": common.CLK_TCK}
    if FLEET not in ("shared", "split"):
        raise SystemExit(f"{TAG}: FLEET={FLEET!r}: expected shared or split")
    meta["fleet"] = FLEET
    try:
        everyone = [{"id": f"s{i:05d}"} for i in range(PROFILES)]
        for i in range(RUNNERS):
            profiles = everyone if FLEET == "shared" else everyone[i * PROFILES // RUNNERS:(i + 1) * PROFILES // RUNNERS]
            r = common.Runner(TAG, ROOT, f"r{i + 1}", OUT)
            r.cfg = {
                "runner": {"name": r.name, "dataDir": r.data, "eventLog": r.log,
                           "globalConcurrency": GLOBAL_CONCURRENCY, "startJitterMs": START_JITTER_MS},
                "store": {"kind": "postgres", "url": pg.url, "user": common.PG_USER,
                          "password": "${env:SR_PG_PASSWORD}", "poolSize": POOL_SIZE},
                "session": {"command": [CHILD, "-", "-", r.name, "{profileId}", "{sessionId}", str(SESSION_MIN_MS),
                                        str(SESSION_MAX_MS), "0", "0"],
                            "workingDir": work, "timeoutMs": 60000, "idleTimeoutMs": 0, "cooldownMs": COOLDOWN_MS,
                            "stopGraceMs": 2000},
                "browser": {"provider": "none"},
                "http": {"bind": "127.0.0.1", "port": 0, "token": common.TOKEN},
                "pods": [{"name": "scale", "concurrency": len(profiles), "profiles": profiles}],
            }
            runners.append(r)
        block = {"leaseTtlMs": LEASE_TTL_MS, "renewEveryMs": RENEW_EVERY_MS, "renewDeadlineMs": RENEW_DEADLINE_MS}
        accepted, note = common.detect_cluster_keys(TAG, ROOT, runners[0], runners[0].cfg, block, common.PG_PASSWORD)
        meta["clusterKeys"] = note
        say(TAG, note)
        for r in runners:
            if accepted:
                r.cfg["cluster"] = block
            r.write_config(r.cfg)
            meta["runners"].append({"name": r.name, "dir": os.path.relpath(r.dir, OUT)})
        say(TAG, f"starting {RUNNERS} runners, {PROFILES} profiles ({FLEET})")
        t0 = time.monotonic()
        for r in runners:
            r.start(common.PG_PASSWORD)
        for r in runners:
            if not r.wait_ready(timeout=300):
                raise SystemExit(f"{TAG}: runner {r.name} did not come up: {r.stderr_tail()}")
        meta["startSeconds"] = round(time.monotonic() - t0, 1)
        say(TAG, f"all up after {meta['startSeconds']} s; warm-up {WARMUP_SECONDS} s, then {MEASURE_SECONDS} s measured")
        time.sleep(WARMUP_SECONDS)
        first = snapshot(pg, runners)
        time.sleep(MEASURE_SECONDS)
        last = snapshot(pg, runners)
        for r in runners:
            if not r.alive():
                meta.setdefault("notes", []).append(f"runner {r.name} exited during the window: {r.stderr_tail()}")
        json.dump({"first": first, "last": last}, open(os.path.join(OUT, "snapshots.json"), "w"), indent=1)
        say(TAG, "graceful stop")
        for r in runners:
            if r.alive():
                r.proc.send_signal(signal.SIGTERM)
        for r in runners:
            r.terminate(timeout=120, send=False)
        json.dump(meta, open(os.path.join(OUT, "meta.json"), "w"), indent=1)
    finally:
        for r in runners:
            r.kill9()
        ids = {row[0] for row in (pg.query("SELECT runner_id FROM runners", check=False) or [])}
        left = common.processes_tagged(ids, under_dir=work)
        for p, _ in left:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        pg.stop(keep_log_in=OUT)


if __name__ == "__main__":
    main()
