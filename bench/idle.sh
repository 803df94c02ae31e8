#!/usr/bin/env bash
# Idle benchmark (issue #2): 200 profiles whose children sleep; prints the runner's RSS and its CPU
# use while it only watches them.
# Usage: bench/idle.sh [PROFILES=200] [SECONDS=30]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
profiles="${1:-200}"; seconds="${2:-30}"
out="$here/out/idle"; rm -rf "$out"; mkdir -p "$out"
python3 - "$out" "$profiles" <<'PY'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
cfg = {"runner": {"globalConcurrency": n, "dataDir": out + "/data", "eventLog": out + "/events.jsonl"}, "http": {"port": 0},
       "browser": {"provider": "none"},
       "session": {"command": ["sleep", "3600"], "idleTimeoutMs": 0},
       "pods": [{"name": "idle", "concurrency": n, "profiles": [{"id": "p%03d" % i} for i in range(n)]}]}
json.dump(cfg, open(out + "/idle.json", "w"))
PY
JAVA_OPTS="${BENCH_JAVA_OPTS:-}" "$root/bin/smart-runner" run -c "$out/idle.json" 2>"$out/runner.err" &
pid=$!   # bin/smart-runner execs java: this is the runner JVM
for _ in $(seq 100); do [ "$(cat "$out/events.jsonl" 2>/dev/null | grep -c '"event":"start"')" -ge "$profiles" ] && break; sleep 0.2; done
sleep 15   # settle: start-up JIT compilation is not idle work
ticks0=$(awk '{print $14+$15}' /proc/$pid/stat); t0=$(date +%s.%N)
sleep "$seconds"
ticks1=$(awk '{print $14+$15}' /proc/$pid/stat); t1=$(date +%s.%N)
rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status); threads=$(awk '/Threads/{print $2}' /proc/$pid/status)
children=$(grep -c '"event":"start"' "$out/events.jsonl")
kill -TERM $pid; wait $pid || true
python3 -c "
import os,sys
t0,t1,k0,k1,rss,th,ch=map(float,sys.argv[1:])
cpu=(k1-k0)/os.sysconf('SC_CLK_TCK')
print(f'idle: {int(ch)} children running, {t1-t0:.0f} s measured')
print(f'  runner RSS:  {rss/1024:.0f} MiB ({int(th)} threads)')
print(f'  runner CPU:  {100*cpu/(t1-t0):.2f} % of one core')
" "$t0" "$t1" "$ticks0" "$ticks1" "$rss" "$threads" "$children"
