#!/usr/bin/env python3
"""bench/peers.sh's report: issue #13's two tables from the harness's results.json and sr_scale.py's outputs.
Each figure is the median over the repetitions (the count is shown when it is not 3).
With --c-fleet, the fleet table gets a column for the same fleet under a bare C supervisor
(bench/c_fleet.c, summed up by refill_split.py --summary): this machine's limit for those rows.
Usage: peers_tables.py results.json [fleet1.json fleet2.json ...] [--c-fleet c1.json c2.json ...]"""
import json, os, statistics, sys


def med(rows, key, scale=1.0):
    v = [r[key] * scale for r in rows if isinstance(r, dict) and r.get(key) is not None]
    return (statistics.median(v), len(v)) if v else (None, 0)


def f(m, nd):
    v, n = m
    if v is None:
        return "n/a"
    return f"{v:,.{nd}f}".replace(",", " ") + ("" if n in (0, 3) else f" (n={n})")


def pair(a, b, nd):
    return f"{f(a, nd)} / {f(b, nd)}"


R = json.load(open(sys.argv[1]))
C, S = R.get("crash", {}), R.get("scale", {})
cols = [p for p in ("c-minimal", "java-minimal", "pm2", "smart-runner") if p in C or p in S]
head = {"c-minimal": "C loop (limit)", "java-minimal": "JVM, no bookkeeping", "pm2": "PM2",
        "smart-runner": "**Smart Runner**"}
targets = ["≥ 0.5× C", "≥ 0.8× C", "≤ 1.0 / ≤ 3 ms", "≤ 0.6 ms", "≤ 0.5 / ≤ 0.7 s", "≤ 80 / ≤ 70",
           "≤ 0.15 %", "≤ 0.1 s"]
c_rate = med(C.get("c-minimal", []), "restarts_per_s")[0]


def ratio(m):
    return f" ({m[0] / c_rate:.2f}× C)" if m[0] and c_rate else ""


rows = []
line = ["crash loop, one child at a time: restarts/s"]
for p in cols:
    m = med(C.get(p, []), "restarts_per_s")
    line.append(f(m, 0) + (ratio(m) if p == "smart-runner" else ""))
rows.append(line)
m32 = med(C.get("smart-runner-c32", []), "restarts_per_s")
rows.append(["same, 32 profiles at once"] + [""] * (len(cols) - 1) + [f(m32, 0) + ratio(m32)])
rows.append(["exit → restart p50 / p99 (ms)"]
            + [pair(med(C.get(p, []), "lat_p50_ms"), med(C.get(p, []), "lat_p99_ms"), 2) for p in cols])
rows.append(["runner CPU per restart (ms)"] + [f(med(C.get(p, []), "sup_cpu_ms_per_restart"), 2) for p in cols])
rows.append(["cold start → first child / all 200 (s)"]
            + [pair(med(S.get(p, []), "start_first_s"), med(S.get(p, []), "start_all_s"), 3) for p in cols])
rows.append(["RSS / PSS, 200 idle children (MiB)"]
            + [pair(med(S.get(p, []), "sup_rss_kb", 1 / 1024), med(S.get(p, []), "sup_pss_kb", 1 / 1024), 1)
               for p in cols])
rows.append(["idle CPU, 200 children (%)"] + [f(med(S.get(p, []), "idle_cpu_pct"), 2) for p in cols])
rows.append(["stop all 200, last child gone (s)"] + [f(med(S.get(p, []), "stop_all_exited_s"), 3) for p in cols])
print(f"Runs: {R['meta'].get('reps')} repetition(s), {R['meta'].get('nproc')} cores, finished "
      f"{R['meta'].get('finished')}; medians; {os.environ.get('BENCH_LOAD', '')}.\n")
print("| figure | " + " | ".join(head[p] for p in cols) + " | target |")
print("|---" * (len(cols) + 2) + "|")
for r, t in zip(rows, targets):
    print("| " + " | ".join(r) + f" | {t} |")
errs = {p: [r["error"] for r in rs if isinstance(r, dict) and "error" in r] for p, rs in {**C, **S}.items()}
for p, e in errs.items():
    if e:
        print(f"\n{p}: errors {e}")

args = sys.argv[2:]
c_at = args.index("--c-fleet") if "--c-fleet" in args else len(args)
F = [json.load(open(x)) for x in args[:c_at]]
CF = [json.load(open(x)) for x in args[c_at + 1:]]
if F:
    def fm(get, nd, runs=None):
        v = [get(x) for x in (F if runs is None else runs)]
        v = [x for x in v if x is not None]
        return (statistics.median(v), len(v)) if v else (None, 0)

    def refill(runs):
        return pair(fm(lambda x: (x['slot_refill_lag_ms'] or {}).get('p50'), 1, runs),
                    fm(lambda x: (x['slot_refill_lag_ms'] or {}).get('p99'), 1, runs), 0)

    sps = fm(lambda x: x["starts_per_s"], 0)
    ideal = F[0]["ideal_starts_per_s"]
    cfg = F[0]["config"]
    print(f"\nFleet (sr_scale.py: {cfg['profiles']} profiles in {cfg['pods']} pods, {cfg['global_conc']} concurrent, "
          f"sessions of {cfg['sleep_s']:g} s, cooldown {cfg['cooldown_ms'] / 1000:g} s, {cfg['window_s']:g} s window, "
          f"{len(F)} run(s)):\n")
    c_head, c_blank = (" C supervisor (limit) |", " |") if CF else ("", "")
    print(f"| figure |{c_head} Smart Runner | target |\n|---|{'---|' if CF else ''}---|---|")
    c_sps = fm(lambda x: x["starts_per_s"], 0, CF)
    c_col = f" {f(c_sps, 0)} ({100 * c_sps[0] / ideal:.1f} %) |" if CF and c_sps[0] is not None else c_blank
    print(f"| starts/s vs the ideal {ideal:g}/s |{c_col} {f(sps, 0)} ({100 * sps[0] / ideal:.1f} %) | ≥ 99 % |")
    c_col = f" {refill(CF)} |" if CF else ""
    print(f"| slot freed → the pod's next start, p50 / p99 (ms) |{c_col} {refill(F)} | ≤ 5 / ≤ 50 |")
    print(f"| runner CPU, % of one core |{c_blank} {f(fm(lambda x: x['cpu_pct_window'], 1), 0)} | ≤ 30 % |")
    print(f"| RSS (MiB, max of the 10 s samples) |{c_blank} {f(fm(lambda x: x['samples_summary']['rss_mib_max'], 1), 0)} | ≤ 150 |")
    api = fm(lambda x: (x["samples_summary"]["api_profiles_s"] or {}).get("p50"), 3)
    api_max = fm(lambda x: (x["samples_summary"]["api_profiles_s"] or {}).get("max"), 3)
    size = F[0]["samples_summary"]["api_profiles_bytes"]
    size = f"{size[0] / 2 ** 20:.1f} MiB, " if size and size[0] else ""
    print(f"| `GET /api/profiles` ({size}median / max s) |{c_blank} {pair(api, api_max, 3)} | p99 ≤ 50 ms |")
