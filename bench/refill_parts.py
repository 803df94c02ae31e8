#!/usr/bin/env python3
"""Where a fleet's slot refill goes, stretch by stretch, after the first 10 s of a run: the
session's end (its S stamp + sleep + the assumed exec) to its `finish` event (the child's exit,
the reaper, the loop, the write), and a `start` event to the new child's S stamp (the start's
durable write, the launch thread, the clone, the exec of `stamp`). The refill itself, as
sr_scale.py pairs it, is printed alongside.

Usage: refill_parts.py FLEET_JSON RUN_DIR
  FLEET_JSON  sr_scale.py's --out
  RUN_DIR     the run's directory (with stamps/ and logs/events.jsonl)
Run it on the machine and boot that ran the fleet, soon after: the stamps are on
CLOCK_MONOTONIC and the events on the wall clock, put on one clock with the offset between the
two now. Events carry milliseconds, so each stretch is ±1 ms.
"""
import datetime
import glob
import json
import os
import sys
import time

SPLIT_S = 10.0
USAGE = "usage: refill_parts.py FLEET_JSON RUN_DIR"


def quantile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else None


def wall_to_mono():
    return time.time() - time.monotonic()


def main(args):
    if len(args) != 2:
        raise SystemExit(USAGE)
    fleet_json, run_dir = args
    res = json.load(open(fleet_json))
    cfg = res["config"]
    dur = cfg["sleep_s"] + res["exec_ms_assumed"] / 1e3
    stamps = {}
    for f in glob.glob(os.path.join(run_dir, "stamps", "*.log")):
        with open(f) as lines:
            stamps[os.path.basename(f)[:-4]] = sorted(int(l.split()[1]) / 1e9 for l in lines if l.startswith("S "))
    if not stamps:
        raise SystemExit(f"refill_parts.py: no stamps under {run_dir}/stamps")
    first = min(min(v) for v in stamps.values() if v)
    offset = wall_to_mono()
    starts, finishes = {}, {}
    with open(os.path.join(run_dir, "logs", "events.jsonl")) as log:
        for line in log:
            e = json.loads(line)
            if e.get("type") != "session" or e.get("event") not in ("start", "finish"):
                continue
            ts = datetime.datetime.fromisoformat(e["ts"].replace("Z", "+00:00")).timestamp() - offset
            (starts if e["event"] == "start" else finishes).setdefault(e["profileId"], []).append(ts)
    noticed, launched = [], []
    for profile, ss in stamps.items():
        st, fin = starts.get(profile, []), finishes.get(profile, [])
        for k, s in enumerate(ss):
            if s - first < SPLIT_S:
                continue
            if k < len(st):
                launched.append((s - st[k]) * 1e3)
            if k < len(fin):
                noticed.append((fin[k] - (s + dur)) * 1e3)
    fmt = lambda v: f"{quantile(v, .5):.1f} / {quantile(v, .9):.1f} / {quantile(v, .99):.1f}" if v else "–"
    print(f"after the first {SPLIT_S:g} s (ms, p50 / p90 / p99):")
    print(f"  session's end -> its finish event:     {fmt(noticed)}  ({len(noticed)} sessions)")
    print(f"  start event -> the child's own stamp:  {fmt(launched)}  ({len(launched)} sessions)")
    refill = res.get("slot_refill_lag_ms") or {}
    print(f"  the whole window's refill (sr_scale):  {refill.get('p50', 0):.1f} / {refill.get('p90', 0):.1f}"
          f" / {refill.get('p99', 0):.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
