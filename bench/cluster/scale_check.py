#!/usr/bin/env python3
"""Cluster scale checker: the table of bench/cluster-scale.sh from a saved run (no targets: figures).

  scale_check.py [DIR]     DIR defaults to bench/out/cluster-scale

- lease writes/s: rows inserted + updated + deleted in `leases` during the window
  (pg_stat_user_tables; backends publish their counts about once a second, an idle one within
  10 s, so a window edge can be off by that much), and the statements that wrote to it per second
  (pg_stat_statements, when the server has it). Same for `runners` (heartbeats) and all tables.
- start lag: for every session start in the window (all runners' logs), its profile became
  eligible at the latest terminal event of that profile before it, in any runner's log, plus
  session.cooldownMs; lag = start - eligible. A start before that instant (lag < 0) means the
  profile was started while it ran, or cooled down, elsewhere: counted as "early", not in the
  percentiles. First sessions (no terminal before them: eligible at start-up plus a random jitter
  the log does not record) are left out.
- database CPU: utime + stime of the PostgreSQL server's processes over the window, the ones that
  exited included (the postmaster's cutime + cstime), as a share of one core; runners the same
  (their JVMs only, not the sessions).
"""
import datetime
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import read_events  # noqa: E402

WRITE = re.compile(r"^\s*(insert\s+into|update|delete\s+from)\s+(\w+)", re.I)


def wall_ms(ts):
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000


def pct(sorted_values, p):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))]


def check(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    snaps = json.load(open(os.path.join(d, "snapshots.json")))
    a, b = snaps["first"], snaps["last"]
    secs = (b["mono"] - a["mono"]) / 1e9
    w0, w1 = a["wall"] / 1e6, b["wall"] / 1e6

    def table_writes(name):
        x, y = a["tables"].get(name), b["tables"].get(name)
        if not x or not y:
            return None
        return sum(y[k] - x[k] for k in ("ins", "upd", "del"))

    def statement_writes(name):
        if a["statements"] is None or b["statements"] is None:
            return None
        before = {s["query"]: s for s in a["statements"]}
        calls = 0
        for s in b["statements"]:
            m = WRITE.match(s["query"])
            if m and m.group(2).lower() == name:
                calls += s["calls"] - before.get(s["query"], {"calls": 0})["calls"]
        return calls

    # --- start lag ---------------------------------------------------------------------------------
    cooldown = meta["cooldownMs"]
    per_profile = {}
    for r in meta["runners"]:
        events, _ = read_events(os.path.join(d, r["dir"], "logs", "events.jsonl"))
        for e in events:
            if e.get("type") == "session" and e.get("profileId"):
                kind = "start" if e.get("event") == "start" else "end"
                per_profile.setdefault(e["profileId"], []).append((wall_ms(e["ts"]), kind == "start", r["name"]))
    lags, early, first_only, starts_in_window, runners_per_profile = [], 0, 0, 0, {}
    waiting = 0
    for p, evs in per_profile.items():
        evs.sort()
        last_end = None
        for ts, is_start, runner in evs:
            if not is_start:
                last_end = ts
                continue
            if not (w0 <= ts < w1):
                continue
            starts_in_window += 1
            runners_per_profile.setdefault(p, set()).add(runner)
            if last_end is None:
                first_only += 1
                continue
            lag = ts - (last_end + cooldown)
            if lag < 0:
                early += 1
            else:
                lags.append(lag)
        # eligible well before the window's end, and not started since
        if last_end is not None and evs[-1][1] is False and last_end + cooldown < w1 - 5000:
            waiting += 1
    lags.sort()
    multi = sum(1 for s in runners_per_profile.values() if len(s) > 1)

    # --- CPU -----------------------------------------------------------------------------------------
    tck = meta["clkTck"]
    db_cpu = (b["pgTicks"] - a["pgTicks"]) / tck
    runner_cpu = sum(((b["runnerTicks"].get(n) or 0) - (a["runnerTicks"].get(n) or 0)) for n in a["runnerTicks"]) / tck

    rows = []

    def rate(v):
        return "n/a" if v is None else f"{v / secs:,.1f}/s"

    lease_rows, lease_stmts = table_writes("leases"), statement_writes("leases")
    ever = sum((b["tables"].get("leases") or {}).get(k, 0) for k in ("ins", "upd", "del"))
    if lease_rows == 0 and ever > 0:
        # the design's point: leases are written on acquisition and release only; each runner's
        # one heartbeat row renews all of them
        note = f" (none in the window; {ever:,} lease row writes before it: acquired at start-up, renewed by the heartbeats)"
    elif lease_rows == 0:
        note = " (no lease row ever written: leases not built in this build)"
    else:
        note = ""
    rows.append(("lease writes (rows ins+upd+del in leases)", rate(lease_rows) + note))
    rows.append(("lease writes (statements, pg_stat_statements)",
                 "n/a (pg_stat_statements not available)" if lease_stmts is None else rate(lease_stmts)))
    rows.append(("runners rows written (heartbeats)", rate(table_writes("runners"))))
    all_rows = sum(table_writes(t) or 0 for t in b["tables"])
    rows.append(("all rows written, all tables", rate(all_rows) + "  (" + ", ".join(
        f"{t} {rate(table_writes(t))}" for t in sorted(b["tables"]) if table_writes(t)) + ")"))
    rows.append(("transactions committed", rate(b["commits"] - a["commits"])))
    rows.append(("session starts in the window", f"{starts_in_window} ({starts_in_window / secs:.1f}/s);"
                 f" profiles started on more than one runner: {multi}"))
    if lags:
        rows.append(("start lag p50 / p99 / max", f"{pct(lags, 50):,.0f} / {pct(lags, 99):,.0f} / {lags[-1]:,.0f} ms"
                     f" over {len(lags)} starts"))
    else:
        rows.append(("start lag p50 / p99 / max", "n/a (no start after an earlier end in the window)"))
    rows.append(("  starts before the fleet-wide cooldown ended", f"{early} (not in the lag: the profile ran or"
                 " cooled down on another runner)"))
    rows.append(("  first sessions (no earlier end: left out)", str(first_only)))
    rows.append(("  eligible > 5 s before the end, not started", str(waiting)))
    rows.append(("database CPU", f"{db_cpu:.1f} s = {100 * db_cpu / secs:.1f} % of one core"))
    rows.append(("runner JVMs' CPU (all runners)", f"{runner_cpu:.1f} s = {100 * runner_cpu / secs:.1f} % of one core"))

    n = len(meta["runners"])
    fleet = (f"sharing {meta['profiles']} profiles (each runner lists all; ~{meta['profiles'] // max(1, n)} per runner"
             " once leases divide them)") if meta.get("fleet", "shared") == "shared" else (
        f"with {meta['profiles'] // max(1, n)} profiles each, disjoint ({meta['profiles']} in all)")
    print(f"cluster-scale: {n} runners {fleet}; sessions"
          f" {meta['sessionMs'][0]}-{meta['sessionMs'][1]} ms, cooldown {meta['cooldownMs']} ms,"
          f" globalConcurrency {meta['globalConcurrency']}, poolSize {meta['poolSize']}")
    print(f"window {secs:.0f} s after {meta['warmupSeconds']} s of warm-up (all runners up after"
          f" {meta['startSeconds']} s); load average {' '.join(a['loadavg'])} -> {' '.join(b['loadavg'])};"
          f" lease settings: {meta['clusterKeys']}")
    w = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name.ljust(w)}  {value}")
    for n in meta.get("notes", []):
        print("note: " + n)
    return True


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    check(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "out", "cluster-scale"))
