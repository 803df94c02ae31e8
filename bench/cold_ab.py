#!/usr/bin/env python3
"""Cold start of 200 idle profiles (the harness's scale test: `stamp FILE --exec /bin/sleep 3600`), each
build's bin/smart-runner in turn, the order reversed every round: seconds from the launch to the first
and to the 200th child's own stamp (CLOCK_MONOTONIC), then each build's median.
usage: cold_ab.py SCRATCH ROUNDS CHECKOUT... (SCRATCH holds the compiled `stamp`; bench/builds-ab.sh runs it)"""
import json, os, shutil, signal, subprocess, sys, time

scr, rounds, builds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
res = {b: [] for b in builds}
for r in range(rounds):
    for n, b in enumerate(builds if r % 2 == 0 else list(reversed(builds))):
        d = f"{scr}/cold-{builds.index(b) + 1}-{r}"
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        stamps = f"{d}/stamps.log"
        cfg = {"breaker": {"enabled": False},
               "runner": {"globalConcurrency": 200, "dataDir": f"{d}/data", "eventLog": f"{d}/logs/events.jsonl",
                          "startJitterMs": 0},
               "session": {"command": [f"{scr}/stamp", stamps, "--exec", "/bin/sleep", "3600"], "cooldownMs": 0,
                           "timeoutMs": 7200000, "idleTimeoutMs": 0, "stopGraceMs": 10000},
               "recovery": {"steps": [], "maxErrorStreak": 1000}, "browser": {"provider": "none"},
               "http": {"port": 0},
               "pods": [{"name": "bench", "concurrency": 200, "profiles": [{"id": f"idle{i:03d}"} for i in range(200)]}]}
        conf = f"{d}/conf.json"
        with open(conf, "w") as f:
            json.dump(cfg, f)
        t0 = time.monotonic()
        p = subprocess.Popen([f"{b}/bin/smart-runner", "run", "-c", conf], stdout=open(f"{d}/out.log", "w"),
                             stderr=subprocess.STDOUT)
        starts = []
        while time.monotonic() < t0 + 60 and len(starts) < 200:
            try:
                with open(stamps) as f:
                    starts = [int(line.split()[1]) for line in f if line.startswith("S ")]
            except FileNotFoundError:
                pass
            time.sleep(0.005)
        p.send_signal(signal.SIGTERM)
        p.wait(60)
        if len(starts) < 200:
            print(f"build {builds.index(b) + 1} round {r}: only {len(starts)} children started (see {d}/out.log)")
            continue
        first, last = min(starts) / 1e9 - t0, max(starts) / 1e9 - t0
        res[b].append((first, last))
        print(f"cold start build {builds.index(b) + 1} round {r}: first child {first:.3f} s, all 200 {last:.3f} s", flush=True)
        shutil.rmtree(d, ignore_errors=True)
for n, b in enumerate(builds):
    xs = res[b]
    if xs:
        f = sorted(x[0] for x in xs)
        a = sorted(x[1] for x in xs)
        print(f"build {n + 1} ({b}): cold start median first child {f[len(f) // 2]:.3f} s, all 200 {a[len(a) // 2]:.3f} s"
              f" ({len(xs)} starts)")
