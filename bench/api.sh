#!/usr/bin/env bash
# API benchmark (issue #5): a fleet of 1 000 profiles (100 sessions running, sleeping), then the time
# each read route takes (median and worst of 30 requests) and the size of its answer, and how long
# an event takes from the log to a server-sent-events client.
# The event log is first seeded with EVENTS lines of history (the runner reads them once at start
# for its live report): the time until it listens is printed too.
# Usage: bench/api.sh [PROFILES=1000] [REQUESTS=30] [EVENTS=300000]
set -euo pipefail
trap 'kill -TERM "${pid:-}" 2>/dev/null || true' EXIT   # never leave the runner behind (e.g. output piped to head)
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
profiles="${1:-1000}"; requests="${2:-30}"; history="${3:-300000}"
out="$here/out/api"; rm -rf "$out"; mkdir -p "$out"
python3 - "$out" "$profiles" <<'PY'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
cfg = {"runner": {"globalConcurrency": 100, "dataDir": out + "/data", "eventLog": out + "/events.jsonl", "startJitterMs": 0},
       "http": {"port": 0, "token": "api-bench-token-00001"}, "browser": {"provider": "none"},
       "session": {"command": ["sleep", "3600"]},
       "pods": [{"name": "pod%d" % p, "concurrency": 100,
                 "profiles": [{"id": "p%04d" % i} for i in range(p, n, 10)]} for p in range(10)]}
json.dump(cfg, open(out + "/api.json", "w"))
PY
python3 - "$out/events.jsonl" "$profiles" "$history" <<'PY'
import json, sys, uuid
path, n, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w") as f:
    for i in range(count // 2):
        p, sid = i % n, str(uuid.UUID(int=i))
        ts = "2026-11-%02dT%02d:%02d:%02d.000Z" % (1 + i // 86400 % 27, i // 3600 % 24, i // 60 % 60, i % 60)
        base = {"ts": ts, "pod": "pod%d" % (p % 10), "profileId": "p%04d" % p, "sessionId": sid}
        f.write(json.dumps({**base, "event": "start", "type": "session", "params": {"command": "sleep 3600"}, "outcome": None, "durMs": None}, separators=(",", ":")) + "\n")
        end = ({"event": "finish", "type": "session", "params": {"exitCode": 0}, "outcome": "ok", "durMs": 900} if i % 7 else
               {"event": "error", "type": "session", "params": {"reason": "exit", "exitCode": 1, "stderrTail": "boom\n", "errorStreak": 1}, "outcome": "error", "durMs": 900})
        f.write(json.dumps({**base, **end}, separators=(",", ":")) + "\n")
PY
t0=$(date +%s%N)
"$root/bin/smart-runner" run -c "$out/api.json" 2>"$out/runner.err" &
pid=$!
for _ in $(seq 600); do grep -q 'http://127.0.0.1:' "$out/runner.err" 2>/dev/null && break; sleep 0.05; done
mib=$(( $(stat -c %s "$out/events.jsonl") / 1048576 ))
echo "start with $history events ($mib MiB) in the log: listening after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
port=$(grep -o 'http://127.0.0.1:[0-9]*' "$out/runner.err" | head -1 | sed 's/.*://')
for _ in $(seq 100); do [ "$(grep -c '"event":"start"' "$out/events.jsonl" 2>/dev/null || true)" -ge 100 ] && break; sleep 0.2; done
base="http://127.0.0.1:$port"
measure() {  # route label
  local times=()
  for _ in $(seq "$requests"); do times+=("$(curl -s -o "$out/body" -w '%{time_total}' "$base$1")"); done
  python3 -c "
import sys, statistics
t = sorted(float(x) * 1000 for x in sys.argv[3:])
print(f'  {sys.argv[1]:<44} median {statistics.median(t):6.1f} ms   worst {t[-1]:6.1f} ms   {int(sys.argv[2])/1024:8.1f} KiB')
" "$1" "$(stat -c %s "$out/body")" "${times[@]}"
}
echo "api: $profiles profiles, 100 sessions running, $requests requests per route"
measure /api/profiles
measure /api/profiles/p0007
measure '/api/events?limit=100'
measure '/api/events?limit=1000'
measure '/api/events?after=0&limit=1000'
measure '/api/events?event=error&profile=p0007&limit=100'
measure '/api/events?profile=p0007&limit=100'
measure /api/report
measure /metrics
measure /
# server-sent events: from the POST that writes an event to the client seeing it
curl -sN "$base/api/events/stream?event=reset" >"$out/stream" &
cpid=$!; sleep 1
t0=$(date +%s%N)
curl -s -o /dev/null -X POST -H 'Authorization: Bearer api-bench-token-00001' -H 'Content-Type: application/json' -d '{}' "$base/api/profiles/p0001/reset"
for _ in $(seq 500); do grep -q '"reset"' "$out/stream" && break; sleep 0.002; done
t1=$(date +%s%N)
echo "  reset POST -> event on the SSE stream: $(( (t1 - t0) / 1000000 )) ms"
kill $cpid 2>/dev/null || true
# 900 profiles wait for a slot while 100 sessions sleep: the runner should be idle
ticks0=$(awk '{print $14+$15}' /proc/$pid/stat); sleep 10; ticks1=$(awk '{print $14+$15}' /proc/$pid/stat)
echo "  runner CPU while 900 profiles wait for a free slot: $(( (ticks1 - ticks0) * 100 / $(getconf CLK_TCK) / 10 )) % of one core"
rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
echo "  runner RSS with 100 sessions and 1000 profiles: $((rss / 1024)) MiB"
kill -TERM $pid; wait $pid || true
