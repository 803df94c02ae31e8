#!/usr/bin/env bash
# The fleet's refill floor for a supervisor that spends what Smart Runner spends: each round runs the
# fleet table's fleet (sr_scale.py: 10 000 profiles, 1 000 at once, sessions of 2 s, every slot
# filled at once) under Smart Runner, then under the bare C supervisor (bench/c_fleet.c) three ways:
# as it is (nothing a session), spending Smart Runner's CPU per session of that round on a second
# thread beside its spawns, and spending it on the refill's own path. The whole-window refill p99
# of the C supervisor with the runner's CPU is what this machine gives a supervisor of that cost
# (docs/performance.md, "The refill floor at the runner's CPU").
# Usage: bench/fleet-floor.sh [--rounds R] [--secs S]   (defaults 2 and 90, the fleet table's window)
# Env: BENCH_PEERS (the harness directory), BENCH_OUT (default bench/out/fleet-floor; on a journaled
#      file system for figures a usual machine gives, see docs/performance.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
rounds=2; secs=90
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift ;;
    --secs) secs="$2"; shift ;;
    *) echo "usage: bench/fleet-floor.sh [--rounds R] [--secs S]" >&2; exit 2 ;;
  esac
  shift
done
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$secs" =~ ^[1-9][0-9]*$ ]] \
  || { echo "bench/fleet-floor.sh: --rounds and --secs must be whole numbers above 0, got '$rounds' and '$secs'" >&2; exit 2; }
# shellcheck source=bench/peers-dir.sh
. "$here/peers-dir.sh" "bench/fleet-floor.sh"
out="${BENCH_OUT:-$here/out/fleet-floor}"
rm -rf "$out"; mkdir -p "$out"; out="$(cd "$out" && pwd)"
gcc -O2 -o "$out/stamp" "$peers_dir/stamp.c"
gcc -O2 -pthread -o "$out/c_fleet" "$here/c_fleet.c"
"$root/bin/smart-runner" --version >/dev/null   # the jar and its start-up cache built outside the runs
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/floor.md"

# @param 1 the run's directory, 2 its fleet.json (c_fleet's or sr_scale.py's --out), 3 its label
summarize() {
  python3 - "$here" "$1" "$2" "$3" >> "$out/rows.jsonl" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[1])
import refill_split
run_dir, fleet_json, label = sys.argv[2:5]
early, late, starts = refill_split.refills(fleet_json, run_dir)
r = json.load(open(fleet_json))
q = refill_split.quantile
row = {"label": label, "whole_p50": q(early + late, .5), "whole_p99": q(early + late, .99),
       "late_p99": q(late, .99), "starts_per_s": starts / r["config"]["window_s"]}
if "cpu_pct_window" in r:
    row["cpu_ms_per_session"] = r["cpu_pct_window"] / 100 / r["starts_per_s"] * 1e3
print(json.dumps(row))
EOF
}

for i in $(seq "$rounds"); do
  # Smart Runner first: its CPU per session this round is what the C supervisor then spends
  mkdir -p "$out/sr$i"; cp "$out/stamp" "$out/sr$i/"
  ( cd "$root" && BENCH_SCRATCH="$out/sr$i" SR_HTTP_PORT="$port" python3 "$peers_dir/sr_scale.py" \
      --profiles 10000 --pods 10 --conc 1000 --sleep 2 --secs "$secs" --out "$out/sr$i.json" >/dev/null 2>"$out/sr$i.err" )
  summarize "$out/sr$i/runs/smart-runner-scale/10000x1000" "$out/sr$i.json" "Smart Runner"
  burn_us="$(tail -1 "$out/rows.jsonl" | python3 -c 'import json, sys; print(round(json.load(sys.stdin)["cpu_ms_per_session"] * 1000))')"
  rm -rf "$out/sr$i/runs"   # 25 000 files a run; the next run's first wave should not pay for their removal
  for variant in "0 beside" "$burn_us beside" "$burn_us inline"; do
    set -- $variant
    name="c$i-$1-$2"; mkdir -p "$out/$name"
    BURN_US="$1" BURN_MODE="$2" "$out/c_fleet" "$out/$name" "$out/stamp" 10000 10 1000 2 "$secs"
    label="C supervisor"; [ "$1" != 0 ] && label="C supervisor, $1 µs a session $2"
    summarize "$out/$name" "$out/$name/fleet.json" "$label"
    rm -rf "$out/$name/stamps"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/floor.md"
python3 - "$out/rows.jsonl" "$rounds" <<'EOF' | tee -a "$out/floor.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
per_round = len(rows) // int(sys.argv[2])
print("| round | supervisor | starts/s | refill p50 / p99, whole window (ms) | p99 after the first 10 s (ms) | CPU a session (ms) |")
print("|---|---|---|---|---|---|")
ms = lambda v: "–" if v is None else f"{v:.1f}"
for n, r in enumerate(rows):
    cpu = f"{r['cpu_ms_per_session']:.2f}" if "cpu_ms_per_session" in r else ""
    print(f"| {n // per_round + 1} | {r['label']} | {r['starts_per_s']:.0f} | {ms(r['whole_p50'])} / {ms(r['whole_p99'])} "
          f"| {ms(r['late_p99'])} | {cpu} |")
EOF
