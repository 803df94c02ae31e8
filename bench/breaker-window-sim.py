#!/usr/bin/env python3
"""The fleet breaker's window, simulated (docs/failure-classes.md, "A pod smaller than minProfiles").

Each profile runs sessions of 4-8 s with a cooldown of 3 s; a session fails with probability P
(the demo's DEMO_FAILURE_RATE is 0.3) and a failure is followed by 3-10 s of recovery. The
breaker's rule as FleetBreaker applies it: the ended sessions of the last 60 s, opened when at
least half failed, across at least MIN_DISTINCT profiles. Prints, over 200 runs of 10 minutes,
how many runs saw it open with no outage at all ("false"), for:
  - the default rule (minProfiles 5) in pods of 5, 10 and 50;
  - the rule tried and dropped in session 35 for small pods: every profile of a pod of 2, 3 or 4.
Usage: python3 bench/breaker-window-sim.py [P]
"""
import random
import sys

P = float(sys.argv[1]) if len(sys.argv) > 1 else 0.3
RUNS, MINUTES, WINDOW_S, RATIO = 200, 10, 60, 0.5


def session_ends(profiles, rnd):
    ends = []
    for i in range(profiles):
        t = rnd.uniform(0, 3)
        while t < MINUTES * 60:
            t += rnd.uniform(4, 8)
            failed = rnd.random() < P
            ends.append((t, i, failed))
            t += 3 + (rnd.uniform(3, 10) if failed else 0)
    return sorted(ends)


def openings(ends, min_distinct):
    window, opened = [], 0
    for end in ends:
        window.append(end)
        window = [w for w in window if w[0] > end[0] - WINDOW_S]
        if not end[2]:
            continue
        failed = [w for w in window if w[2]]
        if len(failed) / len(window) >= RATIO and len({w[1] for w in failed}) >= min_distinct:
            opened += 1
            window = []  # as FleetBreaker: what opened it is forgiven, counting starts afresh
    return opened


def false_share(profiles, min_distinct):
    hit = sum(1 for s in range(RUNS) if openings(session_ends(profiles, random.Random(s)), min_distinct))
    return 100.0 * hit / RUNS


print(f"failure rate {P}, {RUNS} runs of {MINUTES} min, no outage: runs in which the breaker opened")
for n in (5, 10, 50):
    print(f"  default rule, pod of {n:2d} (5 distinct profiles): {false_share(n, 5):5.1f} %")
for n in (2, 3, 4):
    print(f"  every profile of a pod of {n} (dropped):       {false_share(n, n):5.1f} %")
