#!/usr/bin/env python3
"""The fleet's slot-refill lag split in two: the first 10 s after the first session started, and
the rest of the window (docs/performance.md, "The file system under the first wave": the 1 000
sessions of the first wave end together, and their echo fills the first seconds' p99).

Usage: refill_split.py FLEET_JSON RUN_DIR [FLEET_JSON RUN_DIR ...]
       refill_split.py --summary FLEET_JSON RUN_DIR
  FLEET_JSON  sr_scale.py's --out (its config and the exec time it assumed), or c_fleet's fleet.json
  RUN_DIR     the run's directory (BENCH_SCRATCH/runs/smart-runner-scale/NxC, with stamps/)
  --summary   prints, as JSON, the fleet table's two stamp-timed rows for the whole window
              (starts_per_s, slot_refill_lag_ms p50/p99), as sr_scale.py counts them: for a
              supervisor other than Smart Runner (bench/c_fleet.c)
Same pairing as sr_scale.py: per pod, each start after the pod's first conc/pods takes the oldest
freed slot, a slot freed at a session's S stamp + sleep + the assumed exec of sleep.
"""
import glob
import json
import os
import sys

SPLIT_S = 10.0
USAGE = "usage: refill_split.py FLEET_JSON RUN_DIR [FLEET_JSON RUN_DIR ...]"


def quantile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else None


def split(fleet_json, run_dir):
    """The refill lags (ms) of the first SPLIT_S seconds and of the rest of the window."""
    early, late, _ = refills(fleet_json, run_dir)
    return early, late


def refills(fleet_json, run_dir):
    """split()'s two lists, and how many sessions started in the window."""
    res = json.load(open(fleet_json))
    cfg = res["config"]
    dur = cfg["sleep_s"] + res["exec_ms_assumed"] / 1e3
    cap = cfg["global_conc"] // cfg["pods"]
    per_pod = {}
    for f in glob.glob(os.path.join(run_dir, "stamps", "*.log")):
        pod = os.path.basename(f)[:-4].split("-")[0]
        with open(f) as lines:
            per_pod.setdefault(pod, []).extend(int(l.split()[1]) / 1e9 for l in lines if l.startswith("S "))
    if not per_pod:
        raise SystemExit(f"refill_split.py: no stamps under {run_dir}/stamps")
    first = min(min(v) for v in per_pod.values())
    end = first + cfg["window_s"]
    early, late = [], []
    starts_in_window = sum(1 for v in per_pod.values() for t in v if t < end)
    for starts in per_pod.values():
        starts.sort()
        ends = [t + dur for t in starts]
        freed, j = [], 0
        for i, s in enumerate(starts):
            if i < cap:
                continue
            if s >= end:
                break
            while j < len(ends) and ends[j] <= s:
                freed.append(ends[j])
                j += 1
            if freed:
                (early if s - first < SPLIT_S else late).append((s - freed.pop(0)) * 1e3)
    return early, late, starts_in_window


def summary(fleet_json, run_dir):
    cfg = json.load(open(fleet_json))["config"]
    early, late, starts = refills(fleet_json, run_dir)
    whole = early + late
    return {"config": cfg, "starts_per_s": starts / cfg["window_s"],
            "ideal_starts_per_s": cfg["global_conc"] / cfg["sleep_s"],
            "slot_refill_lag_ms": {"p50": quantile(whole, .5), "p99": quantile(whole, .99), "n": len(whole)}}


def main(args):
    if len(args) == 3 and args[0] == "--summary":
        print(json.dumps(summary(args[1], args[2])))
        return
    if len(args) < 2 or len(args) % 2:
        raise SystemExit(USAGE)
    print(f"slot refill lag (ms), the first {SPLIT_S:g} s of each run and after:")
    print("| run | first 10 s p50 / p99 | after p50 / p99 |\n|---|---|---|")
    for n, (fleet_json, run_dir) in enumerate(zip(args[::2], args[1::2]), 1):
        early, late = split(fleet_json, run_dir)
        fmt = lambda v: "–" if not v else f"{quantile(v, .5):.1f} / {quantile(v, .99):.1f}"
        print(f"| {n} | {fmt(early)} | {fmt(late)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
