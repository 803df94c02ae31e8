#!/usr/bin/env python3
"""A running crash loop's restart, stretch by stretch, from the kernel's own tracepoints: where the
time from a session's exit to the next child's exec goes, the runner's threads and the kernel's
work told apart. Run it as root on a runner already in a crash loop (e.g. bench/crash-loop.sh's,
or any `smart-runner run` whose sessions exit at once), with `perf` installed (Debian:
linux-perf):

    bench/restart_trace.py PID [SECONDS]

For each restart it pairs, in time order:
  exit        the child's sched_process_exit (its teardown has begun)
  reaper      the reaper's waitid on the child's pidfd (the exit has been noticed)
  events      the loop's write of the turn's events to the event log (the end and the next start)
  commit      the loop's first pwrite64 of the SQLite commit that follows
  committed   the loop's last pwrite64 of that commit
  clone       a launch thread's clone3 of the next child
  exec        the next child's sched_process_exec (its program is loaded)
and prints each stretch's p10 / p50 / p90 in ms. Tracing costs the traced threads time of their
own (each event a few microseconds here), so the sum is a little above the untraced p50.
It traces the whole machine (`perf record -a`) and keeps the runner's threads and the children it
forked (`sched_process_fork`): per-process tracing (`-p PID`) gives every child perf's own
per-task events, set up at its fork and torn down in its exit after `sched_process_exit`, which
made "exit -> reaper" 0.23-0.35 ms where the untraced exit is noticed in ~0.06 (twenty-fifth
session).
Where the same stretches of a bare C loop go, for comparison: `perf trace` of bench-peers'
spawnbench, or docs/performance.md ("Twenty-second session").
"""
import bisect
import os
import re
import subprocess
import sys
import tempfile

EVENTS = ["sched:sched_process_fork", "sched:sched_process_exit", "syscalls:sys_enter_waitid", "syscalls:sys_enter_write",
          "syscalls:sys_enter_pwrite64", "syscalls:sys_enter_clone3", "sched:sched_process_exec"]
LINE = re.compile(r"\s*(.+?)\s+(\d+)/(\d+)\s+([\d.]+):\s+(\S+):\s*(.*)")
CHILD = re.compile(r"child_pid=(\d+)")
STRETCHES = ["exit", "reaper", "events", "commit", "committed", "clone", "exec"]


def event_log_fd(pid):
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").endswith(".jsonl"):
                return int(fd)
        except OSError:
            continue
    raise SystemExit(f"restart_trace.py: process {pid} has no event log (*.jsonl) open: is it a runner?")


def quantile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def main(args):
    if not 1 <= len(args) <= 2 or not args[0].isdigit():
        raise SystemExit("usage: restart_trace.py PID [SECONDS]")
    pid, secs = int(args[0]), float(args[1]) if len(args) > 1 else 3.0
    fd = event_log_fd(pid)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        cmd = ["perf", "record", "-q", "-a", "-o", data]
        for e in EVENTS:
            # perf's own writes of its buffers are write(2)s too: traced, each begets more of them
            # (700 000 in 2 s on a 6.18 kernel, the runner's own lost among them)
            cmd += ["-e", e, "--exclude-perf"]
        try:
            recorded = subprocess.run(cmd + ["--", "sleep", str(secs)], stderr=subprocess.PIPE, text=True)
        except FileNotFoundError:
            raise SystemExit("restart_trace.py: needs perf (Debian: apt-get install linux-perf)")
        if recorded.returncode != 0:
            why = (recorded.stderr.strip().splitlines() or ["no message"])[-1]
            raise SystemExit(f"restart_trace.py: perf record failed (exit {recorded.returncode}): {why}")
        out = subprocess.run(["perf", "script", "-i", data, "-F", "comm,pid,tid,time,event,trace"],
                             check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            comm, proc, tid, t, event, rest = m.groups()
            rows.append((float(t), comm.strip(), int(proc), int(tid), event.split(":")[1], rest))
    rows.sort()
    loop_writes = {tid for _, _, proc, tid, ev, rest in rows
                   if proc == pid and ev == "sys_enter_write" and f"fd: 0x{fd:08x}" in rest}
    if len(loop_writes) != 1:
        raise SystemExit(f"restart_trace.py: expected one thread writing the event log, saw {len(loop_writes)}")
    loop = loop_writes.pop()
    stretches = {f"{a} -> {b}": [] for a, b in zip(STRETCHES, STRETCHES[1:])}
    children = {int(m.group(1)) for _, _, proc, _, ev, rest in rows
                if proc == pid and ev == "sched_process_fork" for m in [CHILD.search(rest)] if m}
    total, chain = [], None
    for t, comm, proc, tid, ev, rest in rows:
        if ev == "sched_process_exit" and proc in children:
            chain = {"exit": t}
        elif chain is None:
            continue
        elif ev == "sys_enter_waitid" and proc == pid and "reaper" not in chain:
            chain["reaper"] = t
        elif ev == "sys_enter_write" and tid == loop and "reaper" in chain and "events" not in chain:
            chain["events"] = t
        elif ev == "sys_enter_pwrite64" and tid == loop and "events" in chain and "clone" not in chain:
            chain.setdefault("commit", t)
            chain["committed"] = t
        elif ev == "sys_enter_clone3" and proc == pid and "committed" in chain and "clone" not in chain:
            chain["clone"] = t
        elif ev == "sched_process_exec" and proc in children and "clone" in chain:
            chain["exec"] = t
            for a, b in zip(STRETCHES, STRETCHES[1:]):
                stretches[f"{a} -> {b}"].append((chain[b] - chain[a]) * 1e3)
            total.append((chain["exec"] - chain["exit"]) * 1e3)
            chain = None
    if not total:
        raise SystemExit(f"restart_trace.py: no whole restart seen in {secs:g} s: is the runner in a crash loop?")
    print(f"{len(total)} restarts of runner {pid} in {secs:g} s (ms: p10 / p50 / p90)")
    for name, values in list(stretches.items()) + [("exit -> exec, in all", total)]:
        print(f"  {name:26s} {quantile(values, .1):6.3f} / {quantile(values, .5):6.3f} / {quantile(values, .9):6.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
