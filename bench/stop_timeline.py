#!/usr/bin/env python3
"""A runner's stop, step by step: SIGTERM to a runner holding N idle sessions, then when each
session's process group got its own SIGTERM (first, last), when the last child was gone, when the
event log got the last session's end (its ts: whole milliseconds), when the runner said "stopped" and when its process was gone (not a zombie). Repeats the whole run REPS
times and prints one line each; the figures are medians of nothing, every run is shown.

    bench/stop_timeline.py [N] [REPS] [--no-trace]

Builds nothing: it runs bin/smart-runner (or $SMART_RUNNER) on a throwaway config in
bench/out/stop-timeline (port $SR_HTTP_PORT, default 7547). The children are `sleep 3600`; their
exits are watched through pidfds (no polling). The groups' SIGTERMs come from the kernel's
signal:signal_generate tracepoint (`perf`, root; Debian: linux-perf); without perf, or with
--no-trace, those two columns are empty. Tracing costs the traced threads a little time of
their own. bench-peers' "stop all 200" row is this run's "children gone"; its "stop cmd returns"
is "runner gone". docs/performance.md ("Twenty-fourth session") says what the columns showed.
"""
import datetime
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.environ.get("SMART_RUNNER", os.path.join(HERE, "..", "bin", "smart-runner"))
OUT = os.path.join(HERE, "out", "stop-timeline")


def children_of(pid):
    kids = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids += [int(k) for k in f.read().split()]
        except OSError:
            pass  # a thread that ended meanwhile
    return kids


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def one_run(n, trace):
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    cfg = {"runner": {"globalConcurrency": n, "dataDir": f"{OUT}/data", "eventLog": f"{OUT}/logs/events.jsonl",
                      "startJitterMs": 0},
           "session": {"command": ["/bin/sleep", "3600"], "cooldownMs": 0, "timeoutMs": 7200000, "stopGraceMs": 10000},
           "recovery": {"steps": [], "maxErrorStreak": 1000}, "browser": {"provider": "none"},
           "http": {"port": int(os.environ.get("SR_HTTP_PORT", 7547))},
           "pods": [{"name": "bench", "concurrency": n, "profiles": [{"id": f"p{i:04d}"} for i in range(n)]}]}
    with open(f"{OUT}/c.json", "w") as f:
        json.dump(cfg, f)
    runner = subprocess.Popen([RUNNER, "run", "-c", f"{OUT}/c.json"], stderr=subprocess.PIPE, text=True, bufsize=1)
    deadline = time.monotonic() + 120
    while len(children_of(runner.pid)) < n:
        if runner.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"stop_timeline: the runner did not start {n} sessions: {runner.stderr.read()}")
        time.sleep(0.1)
    time.sleep(3)  # the start's work (the JIT, the first scans) is over
    kids = children_of(runner.pid)
    poll = select.poll()
    fds = []
    for k in kids:
        fd = os.pidfd_open(k)
        fds.append(fd)
        poll.register(fd, select.POLLIN)
    perf = None
    data = tempfile.mktemp(prefix="stop-timeline-", suffix=".perf")
    if trace:
        perf = subprocess.Popen(["perf", "record", "-q", "-a", "-k", "CLOCK_MONOTONIC", "-o", data,
                                 "-e", "signal:signal_generate"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)  # perf's set-up
    said = {}
    t0 = time.monotonic()

    def read_stderr():
        for line in runner.stderr:
            if line.strip().endswith(": stopped") or "smart-runner: stopped" in line:
                said.setdefault("stopped", time.monotonic() - t0)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    term_mono = time.clock_gettime(time.CLOCK_MONOTONIC)
    term_wall = time.time()
    runner.send_signal(signal.SIGTERM)
    left = set(fds)
    last = t0
    while left:
        events = poll.poll(60_000)
        if not events:
            break
        now = time.monotonic()
        for fd, _ in events:
            if fd in left:
                left.discard(fd)
                poll.unregister(fd)
                last = now
    while alive(runner.pid):
        time.sleep(0.001)
    gone = time.monotonic() - t0
    runner.wait()
    reader.join(5)
    for fd in fds:
        os.close(fd)
    first = last_term = None
    if perf:
        time.sleep(0.2)
        perf.send_signal(signal.SIGINT)
        perf.wait()
        script = subprocess.run(["perf", "script", "-i", data, "-F", "time,trace"], capture_output=True, text=True).stdout
        os.unlink(data)
        # perf stamps with CLOCK_MONOTONIC (-k): the groups' SIGTERMs, to the runner's own children only
        times = [float(m.group(1)) for m in re.finditer(r"([\d.]+):\s+sig=15 .*comm=sleep pid=(\d+)", script)
                 if int(m.group(2)) in kids]
        if times:
            first, last_term = min(times) - term_mono, max(times) - term_mono
    return {"children": len(kids), "left": len(left), "rc": runner.returncode, "first_term": first,
            "last_term": last_term, "children_gone": last - t0, "ends_logged": last_end_logged(term_wall),
            "stopped": said.get("stopped"), "runner_gone": gone}


def last_end_logged(term_wall):
    """When the event log got the last session end of the stop, from the SIGTERM (its ts: whole ms, wall clock)."""
    last = None
    with open(f"{OUT}/logs/events.jsonl") as f:
        for line in f:
            e = json.loads(line)
            if e.get("type") == "session" and (e.get("params") or {}).get("reason") == "shutdown":
                last = e["ts"]
    if last is None:
        return None
    return datetime.datetime.fromisoformat(last.replace("Z", "+00:00")).timestamp() - term_wall


def ms(x):
    return "-" if x is None else f"{x * 1000:.0f}"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 200
    reps = int(args[1]) if len(args) > 1 else 3
    trace = "--no-trace" not in sys.argv and shutil.which("perf") is not None and os.geteuid() == 0
    print(f"stop of {n} idle sessions (sleep 3600), SIGTERM to the runner at 0, ms; runner {RUNNER}")
    print("| run | first group SIGTERM | last group SIGTERM | children gone | last end logged | \"stopped\" | runner gone | exit |")
    print("|---|---|---|---|---|---|---|---|")
    for i in range(reps):
        r = one_run(n, trace)
        note = "" if r["left"] == 0 else f" ({r['left']} children still alive after 60 s)"
        print(f"| {i + 1} | {ms(r['first_term'])} | {ms(r['last_term'])} | {ms(r['children_gone'])} | "
              f"{ms(r['ends_logged'])} | {ms(r['stopped'])} | {ms(r['runner_gone'])} | {r['rc']}{note} |")


if __name__ == "__main__":
    main()
