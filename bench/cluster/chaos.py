#!/usr/bin/env python3
"""Cluster chaos driver (run through bench/cluster-chaos.sh ROOT): a throwaway PostgreSQL, RUNNERS
runners on it with the same PROFILES profiles, ROUNDS rounds of kill -9 / SIGSTOP / graceful restart
of a random runner, a final graceful stop, then chaos_check.py prints the table from what was saved
in bench/out/cluster-chaos/ (rerun it on that dir at will).

Files written there: stamps.txt (the children's own lines, see stamp_child.c), deaths.txt (the
observer's pidfd record of each child's death: "D session pid mono_ns"), actions.jsonl (what the
bench did, when), metrics.jsonl (stale-write counter per runner run), leftovers.json, db/*.json
(the database's tables at the end), meta.json, r*/logs/events.jsonl* (each runner's event log).
"""
import json
import os
import random
import select
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import env_int, say  # noqa: E402

TAG = "cluster-chaos"
ROOT = os.path.realpath(sys.argv[1])
OUT = os.path.join(ROOT, "bench", "out", "cluster-chaos")
CHILD = os.path.join(OUT, "stamp_child")

RUNNERS = env_int("RUNNERS", 3)
PROFILES = env_int("PROFILES", 60)
ROUNDS = env_int("ROUNDS", 50)
STOP_SECONDS = env_int("STOP_SECONDS", 20)
SESSION_MIN_MS = env_int("SESSION_MIN_MS", 500)
SESSION_MAX_MS = env_int("SESSION_MAX_MS", 3000)
COOLDOWN_MS = env_int("COOLDOWN_MS", 300)
LEASE_TTL_MS = env_int("LEASE_TTL_MS", 15000)
RENEW_EVERY_MS = env_int("RENEW_EVERY_MS", 2000)
RENEW_DEADLINE_MS = env_int("RENEW_DEADLINE_MS", 10000)
LONG_PERCENT = env_int("LONG_PERCENT", 5)                     # sessions longer than the lease TTL
LONG_MS = env_int("LONG_MS", LEASE_TTL_MS + 5000)
DOWN_SECONDS = env_int("DOWN_SECONDS", LEASE_TTL_MS // 1000 + 5)  # a killed runner stays dead this long
SETTLE_MIN_S = env_int("SETTLE_MIN_SECONDS", 2)
SETTLE_MAX_S = env_int("SETTLE_MAX_SECONDS", 6)
WARMUP_SECONDS = env_int("WARMUP_SECONDS", 8)
SEED = env_int("SEED", int(time.time()))
ACTIONS = [a for a in os.environ.get("ACTIONS", "kill9,sigstop,restart").split(",") if a]


def now():
    return time.monotonic_ns(), time.time_ns()


class Observer(threading.Thread):
    """Follows stamps.txt; for every started child opens a pidfd and records the instant it dies
    (CLOCK_MONOTONIC, the clock the children stamp with), so a SIGKILLed child's end is known."""

    def __init__(self, stamps, deaths):
        super().__init__(daemon=True)
        self.stamps, self.deaths = stamps, open(deaths, "a", buffering=1)
        self.stop_flag = threading.Event()
        self.pids = set()
        self.watched = 0

    def run(self):
        poller, fds, pos, partial = select.poll(), {}, 0, ""
        while not (self.stop_flag.is_set() and not fds):
            try:
                with open(self.stamps, "r", errors="replace") as f:
                    f.seek(pos)
                    chunk = f.read()
                    pos = f.tell()
            except OSError:
                chunk = ""
            partial += chunk
            *lines, partial = partial.split("\n")
            for line in lines:
                p = line.split()
                if len(p) < 4 or p[0] != "S":
                    continue
                pid, session = int(p[3]), p[2]
                self.pids.add(pid)
                try:
                    fd = os.pidfd_open(pid)
                    cmd = open(f"/proc/{pid}/cmdline", "rb").read()
                    if session.encode() not in cmd:  # pid already reused: the child is gone
                        os.close(fd)
                        raise ProcessLookupError
                except OSError:
                    self.deaths.write(f"G {session} {pid} {time.monotonic_ns()}\n")  # gone before seen
                    continue
                fds[fd] = (session, pid)
                poller.register(fd, select.POLLIN)
                self.watched += 1
            for fd, _ in poller.poll(50):
                session, pid = fds.pop(fd)
                self.deaths.write(f"D {session} {pid} {time.monotonic_ns()}\n")
                poller.unregister(fd)
                os.close(fd)
            if self.stop_flag.is_set() and fds and time.time() > self.give_up:
                break

    def finish(self, wait_s):
        self.give_up = time.time() + wait_s
        self.stop_flag.set()
        self.join(wait_s + 2)


class Scraper(threading.Thread):
    """Every second: each live runner's stale-write counter (a kill -9 loses only the last second)."""

    def __init__(self, runners, path):
        super().__init__(daemon=True)
        self.runners, self.out = runners, open(path, "a", buffering=1)
        self.stop_flag = threading.Event()

    def scrape(self):
        for r in self.runners:
            text = r.metrics()
            if text is None:
                continue
            v = common.metric_sum(text, "smartrunner_stale_writes_total")
            self.out.write(json.dumps({"runner": r.name, "run": r.runs, "pid": r.proc.pid,
                                       "staleWrites": v, "mono": time.monotonic_ns()}) + "\n")

    def run(self):
        while not self.stop_flag.wait(1.0):
            self.scrape()


def main():
    random.seed(SEED)
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name not in ("stamp_child", "build.log"):
            p = os.path.join(OUT, name)
            (os.remove if os.path.isfile(p) else lambda x: __import__("shutil").rmtree(x))(p)
    locks, work = os.path.join(OUT, "locks"), os.path.join(OUT, "work")
    os.makedirs(locks)
    os.makedirs(work)
    stamps = os.path.join(OUT, "stamps.txt")
    open(stamps, "w").close()
    actions = open(os.path.join(OUT, "actions.jsonl"), "w", buffering=1)
    mono0, wall0 = now()
    meta = {"runners": [], "profiles": PROFILES, "rounds": ROUNDS, "stopSeconds": STOP_SECONDS,
            "downSeconds": DOWN_SECONDS, "sessionMs": [SESSION_MIN_MS, SESSION_MAX_MS], "longPercent": LONG_PERCENT,
            "longMs": LONG_MS, "cooldownMs": COOLDOWN_MS, "leaseTtlMs": LEASE_TTL_MS, "renewEveryMs": RENEW_EVERY_MS,
            "renewDeadlineMs": RENEW_DEADLINE_MS, "seed": SEED, "actions": ACTIONS,
            "monoMinusWallNs": mono0 - wall0}

    say(TAG, "starting PostgreSQL")
    pg = common.PgServer(TAG, fast=os.environ.get("PG_FAST") == "1")
    runners, observer, scraper = [], None, None

    def interrupted(*_):
        raise SystemExit(130)   # the finally below stops everything
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    try:
        profiles = [f"p{i:03d}" for i in range(PROFILES)]
        for i in range(RUNNERS):
            r = common.Runner(TAG, ROOT, f"r{i + 1}", OUT)
            cmd = [CHILD, stamps, locks, r.name, "{profileId}", "{sessionId}", str(SESSION_MIN_MS),
                   str(SESSION_MAX_MS), str(LONG_PERCENT), str(LONG_MS)]
            r.cfg = {
                "runner": {"name": r.name, "dataDir": r.data, "eventLog": r.log, "globalConcurrency": PROFILES,
                           "startJitterMs": 1000},
                "store": {"kind": "postgres", "url": pg.url, "user": common.PG_USER,
                          "password": "${env:SR_PG_PASSWORD}", "poolSize": 4},
                "session": {"command": cmd, "workingDir": work, "timeoutMs": max(60000, 3 * LONG_MS),
                            "idleTimeoutMs": 0, "cooldownMs": COOLDOWN_MS, "stopGraceMs": 2000},
                "browser": {"provider": "none"},
                "http": {"bind": "127.0.0.1", "port": 0, "token": common.TOKEN},
                "pods": [{"name": "chaos", "concurrency": PROFILES, "profiles": [{"id": p} for p in profiles]}],
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

        observer = Observer(stamps, os.path.join(OUT, "deaths.txt"))
        observer.start()
        scraper = Scraper(runners, os.path.join(OUT, "metrics.jsonl"))

        def act(kind, r, **extra):
            m, w = now()
            actions.write(json.dumps({"action": kind, "runner": r.name, "run": r.runs, "mono": m, "wall": w,
                                      **extra}) + "\n")

        def start(r):
            r.start(common.PG_PASSWORD)
            act("launch", r)  # the runner may take its leases back before /healthz answers: takeovers count from here
            if not r.wait_ready():
                raise SystemExit(f"{TAG}: runner {r.name} did not come up: {r.stderr_tail()}")
            act("up", r)

        say(TAG, f"starting {RUNNERS} runners, {PROFILES} profiles")
        for r in runners:
            r.start(common.PG_PASSWORD)
            act("launch", r)
        for r in runners:
            if not r.wait_ready():
                raise SystemExit(f"{TAG}: runner {r.name} did not come up: {r.stderr_tail()}")
            act("up", r)
        scraper.start()
        time.sleep(WARMUP_SECONDS)
        for n in range(1, ROUNDS + 1):
            for dead in [x for x in runners if not x.alive()]:
                # killed by its own process watchdog (a SIGSTOP outlasting cluster.watchdogMs is fatal
                # in cluster mode): brought back, as systemd or Kubernetes would
                act("exited", dead, round=n, clean=False, watchdog=True)
                start(dead)
            r, kind = random.choice(runners), random.choice(ACTIONS)
            say(TAG, f"round {n}/{ROUNDS}: {kind} {r.name}")
            scraper.scrape()
            if kind == "kill9":
                act("kill9", r, round=n)
                r.kill9()
                time.sleep(DOWN_SECONDS)
                start(r)
            elif kind == "sigstop":
                act("sigstop", r, round=n)
                r.signal(signal.SIGSTOP)
                time.sleep(STOP_SECONDS)
                r.signal(signal.SIGCONT)
                act("sigcont", r, round=n)
                time.sleep(0.5)
                if not r.alive():  # its watchdog killed it while it was stopped: a supervisor restarts it
                    act("exited", r, round=n, clean=False, watchdog=True)
                    start(r)
            elif kind == "restart":
                act("sigterm", r, round=n)
                clean = r.terminate()
                act("exited", r, round=n, clean=clean)
                start(r)
            else:
                raise SystemExit(f"{TAG}: unknown action {kind!r} in ACTIONS (expected kill9, sigstop, restart)")
            time.sleep(random.uniform(SETTLE_MIN_S, SETTLE_MAX_S))

        say(TAG, "final graceful stop of every runner")
        scraper.stop_flag.set()
        scraper.join()
        scraper.scrape()
        for r in runners:
            act("final-stop", r)
        for r in runners:
            r.proc.send_signal(signal.SIGTERM)
        for r in runners:
            clean = r.terminate(send=False)
            act("final-exited", r, clean=clean, code=r.proc.returncode)
        observer.finish(5)   # deaths of the last children
        ids = set()
        for line in open(stamps, errors="replace"):
            p = line.split()
            if len(p) >= 8 and p[0] == "S" and p[7] != "-":
                ids.add(p[7])
        rows = pg.query("SELECT runner_id FROM runners")
        ids |= {row[0] for row in rows}
        jvm_pids = [p for r in runners for p in r.pids]
        left = common.processes_tagged(ids, pids=observer.pids | set(jvm_pids), under_dir=work)
        json.dump({"runnerIds": sorted(ids), "left": [{"pid": p, "cmd": c} for p, c in left]},
                  open(os.path.join(OUT, "leftovers.json"), "w"), indent=1)
        for p, _ in left:   # the bench leaves nothing behind, whatever the product did
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        os.makedirs(os.path.join(OUT, "db"))
        for table in ("leases", "runners", "sessions", "events", "profiles"):
            text = pg.raw(f"SELECT coalesce(json_agg(t), '[]') FROM {table} t")
            open(os.path.join(OUT, "db", table + ".json"), "w").write(text)
        meta["runnerIds"] = sorted(ids)
        json.dump(meta, open(os.path.join(OUT, "meta.json"), "w"), indent=1)
    finally:
        for r in runners:
            r.kill9()
        if observer and observer.is_alive():
            observer.finish(0)
        # an interrupted run leaves nothing either (a finished one was swept above, after counting)
        ids = {p.split()[7] for p in open(stamps, errors="replace") if p.startswith("S ") and len(p.split()) >= 8}
        for p, _ in common.processes_tagged(ids - {"-"}, pids=observer.pids if observer else (), under_dir=work):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        pg.stop(keep_log_in=OUT)


if __name__ == "__main__":
    main()
