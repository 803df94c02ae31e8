#!/usr/bin/env bash
# The fleet's first wave and its echo, bin by bin, under three supervisors the same minutes: the
# bare C supervisor (bench/c_fleet.c), Smart Runner as the fleet table runs it (sr_scale.py:
# startJitterMs 0, every slot filled at once), and Smart Runner with the start-up spread a user
# gets by default (startJitterMs 1000; sr_scale.py's config with that one value changed). Each
# with the machine's CPU sampled every 50 ms (bench/fleet_echo.py): what proves where the
# whole-window refill p99 comes from (docs/performance.md, "The first wave's echo").
# Usage: bench/fleet-echo.sh [--secs S] [--jitter MS]   (defaults 30 and 1000)
# Env: BENCH_PEERS (the harness directory), BENCH_OUT (default bench/out/fleet-echo; on a journaled
#      file system for figures a usual machine gives, see docs/performance.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
secs=30; jitter=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --secs) secs="$2"; shift ;;
    --jitter) jitter="$2"; shift ;;
    *) echo "usage: bench/fleet-echo.sh [--secs S] [--jitter MS]" >&2; exit 2 ;;
  esac
  shift
done
[[ "$secs" =~ ^[1-9][0-9]*$ && "$jitter" =~ ^[0-9]+$ ]] \
  || { echo "bench/fleet-echo.sh: --secs must be a whole number of seconds above 0 and --jitter of milliseconds, got '$secs' and '$jitter'" >&2; exit 2; }
# shellcheck source=bench/peers-dir.sh
. "$here/peers-dir.sh" "bench/fleet-echo.sh"
out="${BENCH_OUT:-$here/out/fleet-echo}"
rm -rf "$out"; mkdir -p "$out"; out="$(cd "$out" && pwd)"
gcc -O2 -o "$out/stamp" "$peers_dir/stamp.c"
gcc -O2 -pthread -o "$out/c_fleet" "$here/c_fleet.c"
"$root/bin/smart-runner" --version >/dev/null   # the jar and its start-up cache built outside the runs
# the harness with the one value changed; refused when the harness no longer writes it as expected
grep -q '"startJitterMs": 0}' "$peers_dir/sr_scale.py" \
  || { echo "bench/fleet-echo.sh: $peers_dir/sr_scale.py no longer sets \"startJitterMs\": 0 where this script expects it" >&2; exit 2; }
sed "s/\"startJitterMs\": 0}/\"startJitterMs\": $jitter}/" "$peers_dir/sr_scale.py" > "$out/sr_scale_jitter.py"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# @param 1 name, 2 the sampler's pattern, then the command that runs the fleet
run() {
  local name="$1" pattern="$2"; shift 2
  mkdir -p "$out/$name"; cp "$out/stamp" "$out/$name/"
  python3 "$here/fleet_echo.py" sample "$out/$name.cpu" "$((secs + 15))" "$pattern" &
  local sampler=$!
  "$@"
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
}
run c "^$out/c_fleet " "$out/c_fleet" "$out/c" "$out/stamp" 10000 10 1000 2 "$secs" >/dev/null
for variant in harness jitter; do
  script="$peers_dir/sr_scale.py"; [ "$variant" = jitter ] && script="$out/sr_scale_jitter.py"
  ( cd "$root" && run "$variant" "^java .*smart-runner" env BENCH_SCRATCH="$out/$variant" SR_HTTP_PORT="$port" \
      python3 "$script" --profiles 10000 --pods 10 --conc 1000 --sleep 2 --secs "$secs" \
      --out "$out/$variant.json" >/dev/null 2>"$out/$variant.err" )
done
echo "== the bare C supervisor (every slot filled at once)"
python3 "$here/fleet_echo.py" report "$out/c" "$out/c.cpu" --upto 8
echo
echo "== Smart Runner, startJitterMs 0 (the fleet table's runs)"
python3 "$here/fleet_echo.py" report "$out/harness/runs/smart-runner-scale/10000x1000" "$out/harness.cpu" --upto 8
echo
echo "== Smart Runner, startJitterMs $jitter"
python3 "$here/fleet_echo.py" report "$out/jitter/runs/smart-runner-scale/10000x1000" "$out/jitter.cpu" --upto 8
echo
for variant in harness jitter; do
  python3 - "$out/$variant.json" "$variant" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
lag = r["slot_refill_lag_ms"]
print(f"{sys.argv[2]}: whole window ({r['config']['window_s']:g} s) refill p50 / p99 {lag['p50']:.1f} / {lag['p99']:.1f} ms, "
      f"starts/s {r['starts_per_s']:.0f}, runner CPU {r['cpu_pct_window']:.0f} % of a core")
EOF
done
python3 "$here/refill_split.py" --summary "$out/c/fleet.json" "$out/c" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("C supervisor: whole window refill p50 / p99 %.1f / %.1f ms" % (r["slot_refill_lag_ms"]["p50"], r["slot_refill_lag_ms"]["p99"]))'
