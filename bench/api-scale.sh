#!/usr/bin/env bash
# API at fleet scale (issue #13): PROFILES profiles in 10 pods, CONC sessions of SLEEP s at once
# (cooldown 5 s, as ../shared/bench-peers/sr_scale.py), then REQUESTS sequential requests per read
# route (after 5 not counted), each on a fresh connection: median / p99 / max time and answer size, and the runner's CPU
# while it serves them (with STORE=postgres, the database's too: every postgres process on the machine). Routes a runner does not have are shown with their status (a runner before
# pagination ignores the query and answers the whole list: its size says so). GET /api/pods is
# answered by the engine loop itself: its time is how long a read waits for the loop's next turn.
# Usage: bench/api-scale.sh [PROFILES=10000] [REQUESTS=200] [CONC=1000] [SLEEP=2]
#        SMART_RUNNER=/path/to/bin/smart-runner bench/api-scale.sh   (e.g. another build, for a before/after)
#        STORE=postgres bench/api-scale.sh   (cluster mode: the runner on a throwaway PostgreSQL,
#        bench/cluster/pg_serve.py; its API then reads the fleet's profiles from the database)
set -euo pipefail
trap 'kill -TERM "${pid:-}" ${pg_pid:-} 2>/dev/null || true; wait ${pg_pid:-} 2>/dev/null || true' EXIT   # never leave the runner or the database behind
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
profiles="${1:-10000}"; requests="${2:-200}"; conc="${3:-1000}"; sleep_s="${4:-2}"
runner="${SMART_RUNNER:-$root/bin/smart-runner}"
out="$here/out/api-scale"; rm -rf "$out"; mkdir -p "$out"
store_json='null'
if [ "${STORE:-sqlite}" = postgres ]; then
  python3 "$here/cluster/pg_serve.py" api-scale > "$out/pg.txt" 2>"$out/pg.err" & pg_pid=$!
  for _ in $(seq 900); do [ -s "$out/pg.txt" ] && break; kill -0 $pg_pid 2>/dev/null || break; sleep 0.1; done
  [ -s "$out/pg.txt" ] || { echo "api-scale: no PostgreSQL: $(cat "$out/pg.err")" >&2; exit 1; }
  IFS=$'\t' read -r pg_url pg_user pg_password < "$out/pg.txt"
  store_json="{\"kind\": \"postgres\", \"url\": \"$pg_url\", \"user\": \"$pg_user\", \"password\": \"$pg_password\", \"poolSize\": 4}"
elif [ "${STORE:-sqlite}" != sqlite ]; then
  echo "api-scale: STORE=${STORE}: expected sqlite or postgres" >&2; exit 2
fi
python3 - "$out" "$profiles" "$conc" "$sleep_s" "$store_json" <<'PY'
import json, sys
out, n, conc, sleep_s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
store = json.loads(sys.argv[5])
pods = 10
cfg = {"runner": {"globalConcurrency": conc, "dataDir": out + "/data", "eventLog": out + "/events.jsonl",
                  "startJitterMs": 0},
       "http": {"port": 0, "token": "api-bench-token-00001"}, "browser": {"provider": "none"},
       "session": {"command": ["/bin/sleep", sleep_s], "cooldownMs": 5000},
       "recovery": {"steps": [], "verify": "none"},
       "pods": [{"name": "pod%d" % p, "concurrency": conc // pods,
                 "profiles": [{"id": "p%05d" % i} for i in range(p * n // pods, (p + 1) * n // pods)]}
                for p in range(pods)]}
if store:
    cfg["store"] = store
    cfg["runner"]["name"] = "bench"
json.dump(cfg, open(out + "/fleet.json", "w"))
PY
"$runner" run -c "$out/fleet.json" 2>"$out/runner.err" &
pid=$!
for _ in $(seq 1200); do grep -q 'http://127.0.0.1:' "$out/runner.err" 2>/dev/null && break; sleep 0.05; done
port=$(grep -o 'http://127.0.0.1:[0-9]*' "$out/runner.err" | head -1 | sed 's/.*://')
[ -n "$port" ] || { cat "$out/runner.err"; exit 1; }
sleep 10   # the fleet reaches its steady state: CONC sessions running, the rest waiting or cooling down
python3 - "$port" "$pid" "$requests" "$profiles" <<'PY'
import http.client, os, statistics, sys, time
port, pid, n, profiles = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
tick = os.sysconf("SC_CLK_TCK")
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
clustered = os.environ.get("STORE") == "postgres"
def db_cpu():
    """CPU ticks of every postgres process now (the throwaway server's: the bench's own database)."""
    total = 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                head, rest = open(f"/proc/{d}/stat").read().rsplit(")", 1)
                if head.split("(", 1)[1] == "postgres":
                    f = rest.split()
                    total += int(f[11]) + int(f[12])
            except (OSError, IndexError):
                pass
    return total
def get(path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t = time.perf_counter()
    c.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
    r = c.getresponse(); body = r.read()
    dt = time.perf_counter() - t
    c.close()
    return dt * 1000, len(body), r.status
mid = "p%05d" % (profiles // 2)
routes = [("first page", "/api/profiles?limit=100"),
          ("filtered page", "/api/profiles?pod=pod3&state=running&limit=100"),
          ("text match", "/api/profiles?q=p0042&limit=100"),
          ("page after a cursor", "/api/profiles?after=" + mid + "&limit=100"),
          ("full list (no query)", "/api/profiles"),
          ("one profile", "/api/profiles/" + mid),
          ("summary", "/api/summary"),
          ("pods (asks the loop)", "/api/pods")]
store = "PostgreSQL (cluster mode)" if os.environ.get("STORE") == "postgres" else "SQLite"
print(f"api at scale: {profiles} profiles in 10 pods, sessions running, {n} requests per route, one connection each; {store}")
c0, d0, w0 = cpu(), db_cpu(), time.perf_counter(); time.sleep(5)
print(f"  load average (other processes share the machine): {os.getloadavg()[0]:.1f}")
idle_db = f"; the database {(db_cpu() - d0) / tick / (time.perf_counter() - w0) * 100:.0f} %" if clustered else ""
print(f"  runner CPU with no request (the fleet alone): {(cpu() - c0) / tick / (time.perf_counter() - w0) * 100:.0f} % of one core{idle_db}")
print(f"  {'route':<22} {'path':<48} {'median':>8} {'p99':>8} {'max':>8} {'size':>10}  status")
for label, path in routes:
    for _ in range(5):
        get(path)  # warm-up, not counted: the first requests of a route compile it
    c0, d0, w0 = cpu(), db_cpu(), time.perf_counter()
    times, size, status = [], 0, None
    for _ in range(n):
        ms, size, status = get(path)
        times.append(ms)
    busy = (cpu() - c0) / tick / (time.perf_counter() - w0) * 100
    db = f", database {(db_cpu() - d0) / tick / (time.perf_counter() - w0) * 100:.0f} %" if clustered else ""
    times.sort()
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
    print(f"  {label:<22} {path:<48} {statistics.median(times):6.1f}ms {p99:6.1f}ms {times[-1]:6.1f}ms {size/1024:8.1f}KiB  {status}  (runner CPU {busy:.0f} %{db})")
rss = [int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")][0]
print(f"  runner RSS: {rss // 1024} MiB")
PY
kill -TERM $pid; wait $pid || true
