#!/usr/bin/env bash
# Two (or more) builds side by side, alternately, on this machine now: the fleet's runner CPU and
# start rate (sr_scale.py, 10 000 profiles, 1 000 concurrent, sessions of 2 s) and the cold start of
# 200 idle profiles. For a suspected regression, where peers.sh's tables from different days cannot
# tell a slower machine from a slower build (the forty-fourth session found the fleet's CPU up by
# half this way: 32-35 % for an old build, 47-48 % for main, on the same machine the same minutes).
# Usage: bench/builds-ab.sh [--rounds N] [--secs S] [--cold N] CHECKOUT...
#   CHECKOUT  a directory with a built smart-runner (bin/smart-runner, target/smart-runner.jar),
#             e.g. `git worktree add /tmp/old <commit> && (cd /tmp/old && mvn -B -q package -DskipTests)`
#   --rounds  fleet runs per build (default 2), --secs their window (default 40), --cold cold starts
#             per build (default 6; 0 skips them)
# Env: BENCH_PEERS (the harness directory), BENCH_OUT (default bench/out/builds-ab; on a journaled
#      file system for figures a usual machine gives, see docs/performance.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
rounds=2; secs=40; cold=6; builds=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift ;;
    --secs) secs="$2"; shift ;;
    --cold) cold="$2"; shift ;;
    -*) echo "usage: bench/builds-ab.sh [--rounds N] [--secs S] [--cold N] CHECKOUT..." >&2; exit 2 ;;
    *) [ -x "$1/bin/smart-runner" ] && [ -f "$1/target/smart-runner.jar" ] \
         || { echo "bench/builds-ab.sh: $1: no built smart-runner (bin/smart-runner and target/smart-runner.jar)" >&2; exit 2; }
       builds+=("$(cd "$1" && pwd)") ;;
  esac
  shift
done
[ "${#builds[@]}" -ge 1 ] || { echo "usage: bench/builds-ab.sh [--rounds N] [--secs S] [--cold N] CHECKOUT..." >&2; exit 2; }
# shellcheck source=bench/peers-dir.sh
. "$here/peers-dir.sh" "bench/builds-ab.sh"
out="${BENCH_OUT:-$here/out/builds-ab}"
rm -rf "$out"; mkdir -p "$out"; out="$(cd "$out" && pwd)"
gcc -O2 -o "$out/stamp" "$peers_dir/stamp.c"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
i=0
for b in "${builds[@]}"; do
  i=$((i + 1))
  "$b/bin/smart-runner" --version >/dev/null  # its start-up cache, outside the timed runs
  # the harness's config predates the fleet breaker: off, as peers.sh does
  cat >"$out/sr$i" <<W
#!/usr/bin/env bash
if [ "\${1:-}" = run ] && [ "\${2:-}" = -c ] && ! grep -q '"breaker"' "\$3"; then
  sed -i '1s/^{/{"breaker": {"enabled": false}, /' "\$3"
fi
exec "$b/bin/smart-runner" "\$@"
W
  chmod +x "$out/sr$i"
done
echo "builds: $(i=0; for b in "${builds[@]}"; do i=$((i + 1)); printf '%s=%s (%s) ' "$i" "$b" "$(git -C "$b" log -1 --format=%h 2>/dev/null || echo '?')"; done)"
for r in $(seq "$rounds"); do
  i=0
  for b in "${builds[@]}"; do
    i=$((i + 1)); s="$out/fleet-$i-$r"; mkdir -p "$s"; cp "$out/stamp" "$s/"
    BENCH_SCRATCH="$s" SMART_RUNNER="$out/sr$i" SR_HTTP_PORT="$port" python3 "$peers_dir/sr_scale.py" --profiles 10000 \
      --pods 10 --conc 1000 --sleep 2 --secs "$secs" --out "$s/fleet.json" >/dev/null 2>"$s/stderr.log"
    python3 - "$s/fleet.json" "$i" "$r" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cpu = [x["cpu_pct"] for x in d.get("samples", []) if "cpu_pct" in x]
lag = d.get("slot_refill_lag_ms") or {}
print(f"fleet build {sys.argv[2]} round {sys.argv[3]}: {d['starts_per_s']:.1f} starts/s, runner CPU {d['cpu_pct_window']:.1f} %"
      f" of a core (10 s samples {' '.join('%.0f' % c for c in cpu)}), refill p50 / p99 {lag.get('p50', 0):.1f} / {lag.get('p99', 0):.1f} ms")
PY
    rm -rf "$s/runs"  # 20 000 files a run: the next run's creates would pay for their deletion later
  done
done
if [ "$cold" -gt 0 ]; then
  python3 "$here/cold_ab.py" "$out" "$cold" "${builds[@]}"
fi
