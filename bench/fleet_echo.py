#!/usr/bin/env python3
"""The fleet's first seconds, bin by bin: why the slot refill's whole-window p99 is what it is.

  fleet_echo.py sample OUT SECS PATTERN   every 50 ms until SECS have passed: CLOCK_MONOTONIC, the
                                          machine's busy and idle jiffies (/proc/stat), and the CPU
                                          jiffies of the first process whose command line matches
                                          the regular expression PATTERN (pgrep -f; the supervisor)
  fleet_echo.py report RUN_DIR SAMPLES [--bin 0.25] [--upto 10]
                                          per bin from the first session's stamp: the sessions that
                                          started (S stamps) and ended (stamp + 2 s + the exec the
                                          harness assumes), the refill lag of the starts in the bin
                                          (p50 / p99, paired as sr_scale.py pairs them), the
                                          machine's busy share of its cores and the supervisor's
                                          CPU as a share of one core

RUN_DIR holds stamps/ (sr_scale.py's run directory, or c_fleet's). The stamps are on
CLOCK_MONOTONIC, as the samples are: run the report on the boot that ran the fleet.
"""
import glob
import os
import re
import subprocess
import sys
import time

SLEEP_S = 2.0
EXEC_MS = 0.6          # sr_scale.py's assumed exec of sleep after the S stamp
PODS, CONC = 10, 1000


def sample(out, secs, pattern):
    # the sampler's own command line carries the pattern: never take this process for the supervisor
    me = os.getpid()
    pid = None
    deadline = time.monotonic() + secs
    with open(out, "w") as o:
        while time.monotonic() < deadline:
            if pid is None:
                found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
                found = [int(p) for p in found if int(p) != me]
                pid = min(found) if found else None
            cpu = list(map(int, open("/proc/stat").readline().split()[1:9]))
            idle = cpu[3] + cpu[4]
            busy = sum(cpu) - idle
            own = 0
            if pid:
                try:
                    stat = open(f"/proc/{pid}/stat").read()
                    fields = stat[stat.rindex(")") + 2:].split()
                    own = int(fields[11]) + int(fields[12])
                except OSError:
                    pid = None
            o.write(f"{time.monotonic():.4f} {busy} {idle} {own}\n")
            o.flush()
            time.sleep(0.05)


def quantile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else None


def report(run_dir, samples, binw, upto):
    per_profile = {}
    for f in glob.glob(os.path.join(run_dir, "stamps", "*.log")):
        with open(f) as lines:
            per_profile[os.path.basename(f)[:-4]] = sorted(
                int(l.split()[1]) / 1e9 for l in lines if l.startswith("S "))
    if not any(per_profile.values()):
        raise SystemExit(f"fleet_echo.py: no stamps under {run_dir}/stamps")
    first = min(min(v) for v in per_profile.values() if v)
    dur = SLEEP_S + EXEC_MS / 1e3
    bins = int(upto / binw)
    index = lambda t: int((t - first) // binw)
    starts, ends = [0] * bins, [0] * bins
    lags = [[] for _ in range(bins)]
    pods = sorted({p.split("-")[0] for p in per_profile})
    for pod in pods:
        s_all = sorted(t for p, v in per_profile.items() if p.split("-")[0] == pod for t in v)
        e_all = sorted(t + dur for t in s_all)
        for t in s_all:
            if 0 <= index(t) < bins:
                starts[index(t)] += 1
        for t in e_all:
            if 0 <= index(t) < bins:
                ends[index(t)] += 1
        freed, j = [], 0
        for i, s in enumerate(s_all):
            if i < CONC // PODS:
                continue
            while j < len(e_all) and e_all[j] <= s:
                freed.append(e_all[j])
                j += 1
            if freed and 0 <= index(s) < bins:
                lags[index(s)].append((s - freed.pop(0)) * 1e3)
    rows = [tuple(map(float, l.split())) for l in open(samples)]
    if not rows:
        raise SystemExit(f"fleet_echo.py: no samples in {samples}")
    tick = os.sysconf("SC_CLK_TCK")
    nearest = lambda t: min(rows, key=lambda r: abs(r[0] - t))
    print("from the first start (s) | started | ended | refill p50 / p99 (ms) | machine busy | supervisor, % of a core")
    for b in range(bins):
        a, z = nearest(first + b * binw), nearest(first + (b + 1) * binw)
        busy, idle = z[1] - a[1], z[2] - a[2]
        machine = 100 * busy / (busy + idle) if busy + idle else 0
        own = 100 * (z[3] - a[3]) / tick / (z[0] - a[0]) if z[0] > a[0] else 0
        lag = f"{quantile(lags[b], .5):6.1f} / {quantile(lags[b], .99):6.1f}" if lags[b] else "     – /      –"
        print(f"{b * binw:5.2f} | {starts[b]:5d} | {ends[b]:5d} | {lag} | {machine:5.1f} % | {own:5.1f} %")
    whole = [x for v in lags for x in v]
    if whole:
        print(f"refill over these {upto:g} s: p50 {quantile(whole, .5):.1f} ms, p99 {quantile(whole, .99):.1f} ms "
              f"({len(whole)} refills)")


def main(args):
    if len(args) == 4 and args[0] == "sample":
        sample(args[1], float(args[2]), args[3])
    elif len(args) >= 3 and args[0] == "report":
        opts = dict(zip(args[3::2], args[4::2]))
        report(args[1], args[2], float(opts.get("--bin", 0.25)), float(opts.get("--upto", 10)))
    else:
        raise SystemExit(__doc__.strip().split("\n\n")[1])


if __name__ == "__main__":
    main(sys.argv[1:])
