#!/usr/bin/env python3
"""Fault-suite scenarios (run through bench/faults/run.sh). Each scenario drives the real jar in its
own directory bench/out/faults/<scenario>/, writes meta.json there, and then check.py computes the row.

  scenarios.py ROOT SCENARIO     run one scenario
  scenarios.py ROOT --cleanup    kill what is left under bench/out/faults and unmount its tmpfs

All traffic goes to 127.0.0.1. Every process a scenario started is stopped when it ends (also on
SIGINT/SIGTERM): the runner by its pid, the runner's children by their cwd (the scenario dir) or
their SR_RUNNER_ID.
"""
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.realpath(sys.argv[1]) if len(sys.argv) > 1 else ""
OUT = os.path.join(ROOT, "bench", "out", "faults")
CHILD = os.path.join(OUT, "stamp_child")
TOKEN = "faults-bench-token-0001"
DEFAULT_PORT = 7070


def env_int(name, default):
    return int(os.environ.get(name, default))


QUICK = os.environ.get("FAULTS_QUICK") == "1"
PROFILES = env_int("FLEET_PROFILES", 50)
KILL9_ATTEMPTS = env_int("KILL9_ATTEMPTS", 10 if QUICK else 100)
KILL9_EARLY_PERCENT = env_int("KILL9_EARLY_PERCENT", 20)
SIGSTOP_SECONDS = env_int("SIGSTOP_SECONDS", 10)
DISKFULL_SECONDS = env_int("DISKFULL_SECONDS", 8 if QUICK else 15)
# 8m, not 2m: SQLite's WAL alone grows to ~4 MiB (checkpoint at 1000 pages, the file is reused,
# not truncated), so on 2 MiB the store fills the disk by itself and freeing the filler frees nothing
DISKFULL_TMPFS = os.environ.get("DISKFULL_TMPFS", "8m")
SLOW_SOCKETS = env_int("SLOW_SOCKETS", 200)
SLOW_SECONDS = env_int("SLOW_SECONDS", 10 if QUICK else 30)
LONG_PERCENT = env_int("LONG_PERCENT", 5)
FAIL_PERCENT = env_int("FAIL_PERCENT", 30)


def say(msg):
    print(f"faults: {msg}", file=sys.stderr, flush=True)


class Scenario:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(OUT, name)
        subprocess.run(["rm", "-rf", self.dir], check=True)
        os.makedirs(self.dir)
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "logs", "events.jsonl")
        self.meta = {"scenario": name, "attempts": 0, "survived": 0, "notes": [], "cleanStop": False,
                     "runnerIds": [], "orphansSeen": 0}
        self.runner = None
        self.runs = 0
        self.mount = None

    # --- config and runner -------------------------------------------------------------------
    def config(self, profiles, command=None, port=0, name="config.json", **session):
        cmd = command or [CHILD, os.path.join(self.dir, "stamps.txt"), "{profileId}", "{sessionId}",
                          str(session.pop("long_percent", LONG_PERCENT)), str(FAIL_PERCENT)]
        cfg = {
            "runner": {"globalConcurrency": max(1, len(profiles)), "dataDir": self.data, "eventLog": self.log,
                       "startJitterMs": 500},
            "session": {"command": cmd, "workingDir": self.dir, "timeoutMs": 60000, "idleTimeoutMs": 0,
                        "cooldownMs": 200, "stopGraceMs": 2000, **session},
            "recovery": {"maxErrorStreak": 3, "pauseDurationMs": 5000},
            "browser": {"provider": "none"},
            "http": {"bind": "127.0.0.1", "port": port, "token": TOKEN},
            "pods": [{"name": "faults", "concurrency": max(1, len(profiles)), "profiles": [{"id": p} for p in profiles]}],
        }
        path = os.path.join(self.dir, name)
        json.dump(cfg, open(path, "w"), indent=1)
        self.meta["eventLog"] = self.log
        self.meta["stateDb"] = os.path.join(self.data, "state.db")
        return path

    def start(self, cfg):
        self.runs += 1
        self.err = os.path.join(self.dir, f"runner.{self.runs}.err")
        try:
            os.remove(os.path.join(self.data, "http.port"))
        except OSError:
            pass
        self.runner = subprocess.Popen([os.path.join(ROOT, "bin", "smart-runner"), "run", "-c", cfg],
                                       stdin=subprocess.DEVNULL, stdout=open(self.err, "a"),
                                       stderr=subprocess.STDOUT, cwd=ROOT)
        self.started_at = time.time()
        return self.runner

    def stderr(self):
        try:
            return open(self.err, errors="replace").read()
        except OSError:
            return ""

    def port(self):
        try:
            return int(open(os.path.join(self.data, "http.port")).read().strip())
        except (OSError, ValueError):
            return None

    def wait_listening(self, port=None, timeout=60):
        """True once this runner printed its start line and answers /healthz; False if it exited."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.runner.poll() is not None:
                return False
            if "running " in self.stderr():
                p = port or self.port()
                if p and get(p, "/healthz", timeout=1)[0] is not None:
                    return True
            time.sleep(0.1)
        return False

    def stop(self, timeout=60):
        """SIGTERM and wait; True if it exited 0 in time."""
        r = self.runner
        if r is None or r.poll() is not None:
            return r is not None and r.returncode == 0
        r.send_signal(signal.SIGTERM)
        try:
            r.wait(timeout)
        except subprocess.TimeoutExpired:
            r.kill()
            r.wait()
            self.meta["notes"].append(f"graceful stop took > {timeout} s: killed")
            return False
        return r.returncode == 0

    def kill9(self):
        if self.runner and self.runner.poll() is None:
            self.runner.kill()
            self.runner.wait()

    def remember_runner_id(self):
        import sqlite3
        try:
            db = sqlite3.connect(f"file:{self.meta['stateDb']}?mode=ro", uri=True)
            for (v,) in db.execute("SELECT value FROM meta WHERE key = 'runner_id'"):
                if v not in self.meta["runnerIds"]:
                    self.meta["runnerIds"].append(v)
            db.close()
        except Exception:
            pass

    def events(self):
        out = []
        try:
            for line in open(self.log, "rb"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        except OSError:
            pass
        return out

    def wait_event(self, pred, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(pred(e) for e in self.events()):
                return True
            time.sleep(0.2)
        return False

    def leftovers(self):
        return [p for p, _ in processes_of(self.dir, set(self.meta["runnerIds"]))]

    def cleanup(self):
        self.kill9()
        kill_pids(self.leftovers())
        if self.mount:
            # keep what the runner wrote there for a look afterwards
            subprocess.run(["cp", "-a", self.mount, self.mount + ".copy"], stderr=subprocess.DEVNULL)
            subprocess.run(["umount", "-l", self.mount], stderr=subprocess.DEVNULL)
            self.mount = None

    def finish(self):
        self.remember_runner_id()
        json.dump(self.meta, open(os.path.join(self.dir, "meta.json"), "w"), indent=1)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "faults", "check.py"), "row", self.dir],
                       stdout=subprocess.DEVNULL, check=True)


# --- helpers ----------------------------------------------------------------------------------
def get(port, path, timeout=2.0, method="GET", body=None):
    """(status, parsed body or text); (None, error) when nothing answered."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        headers = {"Authorization": "Bearer " + TOKEN}
        if body is not None:
            headers["Content-Type"] = "application/json"
        c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        resp = c.getresponse()
        text = resp.read().decode(errors="replace")
        c.close()
        try:
            return resp.status, json.loads(text)
        except ValueError:
            return resp.status, text
    except (OSError, http.client.HTTPException) as e:
        return None, str(e)


def ancestors():
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            pid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            break
    return pids


def processes_of(scenario_dir, runner_ids):
    mine = ancestors()   # never this process nor the shell that runs it (its cwd may be in there)
    root = os.path.realpath(scenario_dir)
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in mine:
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
            env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ids = {e[13:].decode(errors="replace") for e in env if e.startswith(b"SR_RUNNER_ID=")}
        if cwd == root or cwd.startswith(root + "/") or (ids & runner_ids):
            found.append((int(pid), cmd))
    return found


def kill_pids(pids):
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


def start_ticks(pid):
    try:
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def boot_ticks_now():
    return float(open("/proc/uptime").read().split()[0]) * os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])


def port_holders(port):
    """Pids listening on 127.0.0.1/any:port (from ss)."""
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    return {int(x) for x in __import__("re").findall(r"pid=(\d+)", out)}, bool(out.strip())


def log_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class Foreign(Exception):
    pass


def foreign_holders(sc):
    """Listeners on the default port that are neither this scenario's runner nor its children."""
    holders, _ = port_holders(DEFAULT_PORT)
    ours = {p for p, _ in processes_of(sc.dir, set(sc.meta["runnerIds"]))}
    if sc.runner and sc.runner.poll() is None:
        ours.add(sc.runner.pid)
    out = []
    for p in sorted(holders - ours):
        try:
            cmd = open(f"/proc/{p}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")[:80]
            cwd = os.readlink(f"/proc/{p}/cwd")
        except OSError:
            continue   # gone meanwhile
        out.append(f"pid {p} in {cwd}: {cmd}")
    return out


def daemons(scenario_dir):
    return [p for p, cmd in processes_of(scenario_dir, set()) if cmd.strip() == "sleep 777"]


def pause_one(port, reason):
    """Pause the first profile that is not busy (409: already paused, running a recovery...)."""
    for target in fleet(10)[1:]:
        res = get(port, f"/api/profiles/{target}/pause", timeout=10, method="POST",
                  body={"durationMs": 3600000, "reason": reason})
        if res[0] != 409:
            return target, res
    return target, res


def fleet(n):
    return ["p%03d" % i for i in range(n)]


# --- scenarios --------------------------------------------------------------------------------
def s_kill9(sc):
    cfg = sc.config(fleet(PROFILES), port=DEFAULT_PORT)
    failures = {}

    def up():
        """Start on the default port; a refused start counts against this attempt, then the
        leftovers that block it are cleared by the suite so the next attempts can go on."""
        for tries in range(4):
            foreign = foreign_holders(sc)
            waited = time.time()
            while foreign and time.time() - waited < 20:   # e.g. another test binding 7070 for a moment
                time.sleep(0.5)
                foreign = foreign_holders(sc)
            if foreign:
                raise Foreign(f"port {DEFAULT_PORT} is held by another process ({'; '.join(foreign)}): not touching it")
            sc.start(cfg)
            if sc.wait_listening(DEFAULT_PORT):
                return tries == 0
            sc.kill9()
            last = [l for l in sc.stderr().splitlines() if l.strip()][-1:] or ["(no output)"]
            key = last[0][:120]
            failures[key] = failures.get(key, 0) + 1
            blocking = [p for p, _ in processes_of(sc.dir, set(sc.meta["runnerIds"]))]
            sc.meta["removedByTheSuite"] = sc.meta.get("removedByTheSuite", 0) + len(blocking)
            kill_pids(blocking)
            time.sleep(0.3)
        raise SystemExit("faults: kill9: the runner did not come back after 4 tries")

    silent = early = 0
    try:
        up()
        sc.remember_runner_id()
        for i in range(KILL9_ATTEMPTS):
            if random.randrange(100) < KILL9_EARLY_PERCENT:
                # a kill during start-up (reconcile, first launches): kill the running one, start
                # a new one and kill it 0.2-3 s after its process started, answering or not
                sc.kill9()
                foreign = foreign_holders(sc)
                if foreign:
                    raise Foreign(f"port {DEFAULT_PORT} is held by another process ({'; '.join(foreign)}): not touching it")
                sc.start(cfg)
                time.sleep(random.uniform(0.2, 3.0))
                early += 1
            else:
                size_up = log_size(sc.log)
                time.sleep(random.uniform(0.2, 3.0))
                silent += log_size(sc.log) == size_up
            sc.kill9()
            sc.meta["attempts"] += 1
            try:
                came_back = up()
            except Foreign:
                sc.meta["attempts"] -= 1   # not the runner's fault: this attempt does not count
                raise
            sc.meta["survived"] += came_back
            sc.remember_runner_id()
            if (i + 1) % 10 == 0:
                say(f"kill9: {i + 1}/{KILL9_ATTEMPTS} ({sc.meta['survived']} came back at once)")
    except Foreign as e:
        say("kill9: " + str(e))
        sc.meta["notes"].append(f"stopped after {sc.meta['attempts']} attempt(s): {e}")
        # the last kill -9 left a crashed state: bring it back on port 0 for the final clean stop
        sc.start(sc.config(fleet(PROFILES), port=0))
        sc.wait_listening()
    # let the last runner reconcile what the last crash left and start sessions before its clean stop
    size = log_size(sc.log)
    deadline = time.time() + 30
    while log_size(sc.log) == size and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(2)
    sc.meta["cleanStop"] = sc.stop()
    if early:
        sc.meta["notes"].append(f"{early} of the kills hit a runner 0.2-3 s after its process started (KILL9_EARLY_PERCENT)")
    if silent:
        sc.meta["notes"].append(f"{silent} of {sc.meta['attempts'] - early} runner(s) answered /healthz but wrote no event "
                                "before their kill -9 (0.2-3 s later)")
    if sc.meta.get("removedByTheSuite"):
        sc.meta["notes"].append(f"{sc.meta['removedByTheSuite']} leftover session process(es) of a crashed runner "
                                "killed by the suite so that a refused restart could be retried")
    for line, n in failures.items():
        sc.meta["notes"].append(f"{n} restart(s) refused: {line}")


def s_sigstop(sc):
    cfg = sc.config(fleet(PROFILES))
    sc.start(cfg)
    if not sc.wait_listening():
        sc.meta["notes"].append("did not start: " + sc.stderr()[-200:])
        return
    time.sleep(5)
    frozen_at = time.time()
    sc.runner.send_signal(signal.SIGSTOP)
    time.sleep(SIGSTOP_SECONDS)
    sc.runner.send_signal(signal.SIGCONT)
    time.sleep(8)
    sc.meta["attempts"] = 1
    alive = get(sc.port(), "/healthz")[0] is not None
    sc.meta["cleanStop"] = sc.stop()
    # spurious failures: an error that is not the child's own exit 1 (nor the runner's own stop)
    stamps, began, lasted = {}, {}, {}
    for line in open(os.path.join(sc.dir, "stamps.txt")):
        f = line.split()
        if f[0] == "S":
            began[f[2]] = int(f[4])
        elif f[0] == "E":
            stamps[f[2]] = (f[7], int(f[8]))
            lasted[f[2]] = (int(f[4]) - began.get(f[2], int(f[4]))) / 1e6
    # durMs of a session that ended during the freeze should not include it (issue #9 point 9)
    inflated = [e for e in sc.events() if e.get("event") in ("finish", "error") and e.get("sessionId") in lasted
                and (e.get("durMs") or 0) - lasted[e["sessionId"]] > 1000]
    spurious = []
    for e in sc.events():
        p = e.get("params") or {}
        if e.get("event") != "error" or p.get("reason") == "shutdown":
            continue
        if p.get("reason") == "exit" and stamps.get(e.get("sessionId")) == ("exit", p.get("exitCode")):
            continue
        spurious.append(p.get("reason"))
    sc.meta["survived"] = int(alive and not spurious)
    sc.meta["notes"].append(f"{SIGSTOP_SECONDS} s SIGSTOP: {len(spurious)} spurious failure(s)"
                            + (f" (reasons {sorted(set(map(str, spurious)))})" if spurious else "")
                            + ("" if alive else "; /healthz did not answer after SIGCONT"))
    sc.meta["notes"].append(f"{len(inflated)} session(s) whose durMs exceeds the child's own duration by > 1 s"
                            + (f" (worst by {max((e['durMs'] - lasted[e['sessionId']]) for e in inflated) / 1000:.1f} s)" if inflated else ""))


def s_diskfull(sc):
    disk = os.path.join(sc.dir, "disk")
    os.makedirs(disk)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + DISKFULL_TMPFS, "tmpfs", disk], check=True)
    sc.mount = disk
    sc.data = os.path.join(disk, "data")
    sc.log = os.path.join(disk, "logs", "events.jsonl")
    cfg = sc.config(fleet(20), long_percent=0)
    sc.start(cfg)
    sc.meta["attempts"] = 1
    if not sc.wait_listening():
        sc.meta["notes"].append("did not start: " + sc.stderr()[-200:])
        return
    port = sc.port()
    time.sleep(4)
    filler = os.path.join(disk, "filler")
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], stderr=subprocess.DEVNULL)
    full_at = time.time()
    t0, c0 = time.time(), cpu_ticks(sc.runner.pid)
    time.sleep(2)
    target, pause = pause_one(port, "faults diskfull")
    time.sleep(max(0, DISKFULL_SECONDS - (time.time() - full_at)))
    cpu = (cpu_ticks(sc.runner.pid) - c0) / os.sysconf("SC_CLK_TCK") / (time.time() - t0) * 100
    os.remove(filler)
    freed_at = time.time()
    time.sleep(1)
    usage = subprocess.run(["du", "-ak", disk], capture_output=True, text=True).stdout.split("\n")
    top = sorted((l.split("\t") for l in usage if "\t" in l), key=lambda x: -int(x[0]))[1:4]
    sc.meta["notes"].append("tmpfs 1 s after freeing: " + ", ".join(f"{os.path.relpath(p, disk)} {k} KiB" for k, p in top))
    resumed = sc.wait_event(lambda e: e.get("event") == "start" and "ts" in e
                            and e["ts"] >= time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(freed_at)), 20)
    clean = sc.stop()
    stop_line = ([l for l in sc.stderr().splitlines() if l.strip()] or [""])[-1]
    # was the acknowledged pause kept across a restart?
    sc.start(cfg)
    kept = None
    if sc.wait_listening():
        st, body = get(sc.port(), "/api/profiles/" + target)
        kept = isinstance(body, dict) and bool((body.get("flags") or {}).get("paused"))
    sc.meta["cleanStop"] = sc.stop() and clean
    pause_ok = pause[0] == 503 or (pause[0] == 200 and kept)
    spinning = cpu > 50
    sc.meta["survived"] = int(resumed and pause_ok and not spinning)
    sc.meta["notes"].append(f"tmpfs {DISKFULL_TMPFS}; runner CPU while the disk was full: {cpu:.0f} % of one core over {DISKFULL_SECONDS} s")
    sc.meta["notes"].append(f"pause of {target} during the full period: HTTP {pause[0]} {str(pause[1])[:80]}; paused after a restart: {kept}")
    sc.meta["notes"].append(f"sessions resumed after freeing: {resumed}; stop after the episode: '{stop_line[:100]}'")
    sc.finish_before_umount = True


def s_state(sc, how):
    cfg = sc.config(fleet(10), long_percent=0)
    sc.start(cfg)
    sc.meta["attempts"] = 1
    if not sc.wait_listening():
        sc.meta["notes"].append("did not start: " + sc.stderr()[-200:])
        return
    time.sleep(2)
    target, (st, _) = pause_one(sc.port(), "faults " + how)
    time.sleep(2)
    sc.stop()
    sc.remember_runner_id()
    db = sc.meta["stateDb"]
    for extra in ("-wal", "-shm"):
        if os.path.exists(db + extra):
            os.remove(db + extra)
    size = os.path.getsize(db)
    if how == "zero":
        open(db, "w").close()
    else:
        with open(db, "r+b") as f:
            f.seek(size // 2)
            f.write(os.urandom(min(8192, size // 2)))
    restarted = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    sc.start(cfg)
    up = sc.wait_listening()
    if not up:
        out = [l for l in sc.stderr().splitlines() if l.strip() and not l.startswith("smart-runner: building")]
        one_line = sc.runner.returncode not in (0, None) and len(out) <= 2 and not any("\tat " in l or "Exception" in l for l in out)
        sc.meta["survived"] = int(one_line)
        sc.meta["cleanStop"] = True
        sc.meta["integrity"] = "ok (refused)" if one_line else "failed: refused without one line"
        sc.meta["notes"].append(f"restart refused (exit {sc.runner.returncode}): {(out or [''])[-1][:120]}")
        return
    time.sleep(4)
    _, body = get(sc.port(), "/api/profiles/" + target)
    # the API's profile is the spec's state object: the paused flag is under "flags"
    paused = isinstance(body, dict) and bool((body.get("flags") or {}).get("paused"))
    ran = sum(1 for e in sc.events() if e.get("event") == "start" and e.get("profileId") == target
              and e.get("ts", "") >= restarted)
    sc.meta["cleanStop"] = sc.stop()
    sc.meta["survived"] = int(st == 200 and paused and ran == 0)
    sc.meta["notes"].append(f"state.db {'truncated to 0 bytes' if how == 'zero' else 'overwritten in the middle'}: "
                            f"runner started; {target} (paused by hand, HTTP {st}) paused after the restart: {paused}, "
                            f"sessions it ran since: {ran}")


def s_slowclients(sc):
    cfg = sc.config(fleet(10), long_percent=0)
    sc.start(cfg)
    if not sc.wait_listening():
        sc.meta["notes"].append("did not start: " + sc.stderr()[-200:])
        return
    port = sc.port()
    socks, refused = [], 0
    for _ in range(SLOW_SOCKETS):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")   # half a request, never finished
            socks.append(s)
        except OSError:
            refused += 1
    deadline, probes, answered = time.time() + SLOW_SECONDS, 0, 0
    while time.time() < deadline:
        probes += 1
        st, _ = get(port, "/healthz", timeout=2)
        answered += st == 200
        time.sleep(0.5)
    for s in socks:
        s.close()
    sc.meta["attempts"], sc.meta["survived"] = probes, answered
    sc.meta["cleanStop"] = sc.stop()
    sc.meta["notes"].append(f"{len(socks)} slow sockets open ({refused} refused at connect) for {SLOW_SECONDS} s: "
                            f"/healthz answered {answered}/{probes} probes within 2 s")


def s_daemonize(sc):
    daemon = "(setsid env -i sleep 777 &) ; sleep %d"
    results, seen = [], set()
    sc.meta["scanOrphans"] = True

    def count(label, started_before=None):
        left = daemons(sc.dir)
        if started_before is not None:
            left = [p for p in left if (start_ticks(p) or 0) < started_before]
        results.append((label, len(left)))
        seen.update(left)
        kill_pids(left)

    # 1. the session ends on its own
    cfg = sc.config(["d1"], command=["sh", "-c", daemon % 1], name="d1.json", cooldownMs=600000)
    sc.start(cfg)
    if sc.wait_listening() and sc.wait_event(lambda e: e.get("profileId") == "d1" and e.get("event") in ("finish", "error"), 30):
        time.sleep(1.5)
        count("after its session ended")
    else:
        results.append(("after its session ended", "no session"))
    sc.stop()
    # 2. graceful stop of the runner while the session runs
    cfg = sc.config(["d2"], command=["sh", "-c", daemon % 30], name="d2.json", cooldownMs=600000)
    sc.start(cfg)
    if sc.wait_listening() and sc.wait_event(lambda e: e.get("profileId") == "d2" and e.get("event") == "start", 30):
        time.sleep(1.5)
        sc.stop()
        time.sleep(1)
        count("after a graceful stop")
    else:
        sc.stop()
        results.append(("after a graceful stop", "no session"))
    # 3. kill -9 of the runner while the session runs, then a restart
    cfg = sc.config(["d3"], command=["sh", "-c", daemon % 30], name="d3.json", cooldownMs=600000)
    sc.start(cfg)
    if sc.wait_listening() and sc.wait_event(lambda e: e.get("profileId") == "d3" and e.get("event") == "start", 30):
        time.sleep(1.5)
        sc.kill9()
        killed_at = boot_ticks_now()
        sc.start(cfg)
        sc.wait_listening()
        sc.wait_event(lambda e: e.get("profileId") == "d3" and (e.get("params") or {}).get("reason") == "lost", 15)
        time.sleep(2)
        count("after kill -9 + restart", started_before=killed_at)
    else:
        results.append(("after kill -9 + restart", "no session"))
    sc.meta["cleanStop"] = sc.stop()
    time.sleep(1)
    count("after the final stop")
    sc.meta["attempts"] = 3
    sc.meta["survived"] = sum(1 for label, n in results[:3] if n == 0)
    sc.meta["orphansSeen"] = len(seen)
    sc.meta["notes"].append("sleep 777 left " + ", ".join(f"{label}: {n}" for label, n in results))


SCENARIOS = {
    "kill9": s_kill9, "sigstop": s_sigstop, "diskfull": s_diskfull,
    "state-zero": lambda sc: s_state(sc, "zero"), "state-corrupt": lambda sc: s_state(sc, "corrupt"),
    "slowclients": s_slowclients, "daemonize": s_daemonize,
}


def cleanup_all():
    """Backstop for run.sh's trap: everything whose cwd is under bench/out/faults, and its mounts."""
    kill_pids([p for p, _ in processes_of(OUT, set())])
    if os.path.isdir(OUT):
        for line in open("/proc/mounts"):
            mnt = line.split()[1]
            if mnt.startswith(os.path.realpath(OUT) + "/"):
                subprocess.run(["umount", "-l", mnt], stderr=subprocess.DEVNULL)


def main():
    name = sys.argv[2]
    if name == "--cleanup":
        cleanup_all()
        return
    # SIGTERM/SIGINT from run.sh's trap: unwind through the finally below
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    sc = Scenario(name)
    t0 = time.time()
    try:
        SCENARIOS[name](sc)
        sc.kill9()
        sc.finish()   # before the cleanup: the checker counts the leftovers (and reads the tmpfs)
    finally:
        sc.cleanup()
    say(f"{name}: done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
