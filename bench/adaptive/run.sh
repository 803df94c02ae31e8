#!/usr/bin/env bash
# Adaptive vs fixed recovery ladder (issue #12, point 3) on a demo-like fleet, back to back: the
# same five profiles in two pods, the same worker failing 30 % of the time in five ways (kind k is
# repaired by ladder step k or later; worker.sh, step.sh), the demo's ladder timing (5 steps,
# retryBackoffMs 2000, stepTimeoutMs 8000), command steps only (no browser). One runner per
# strategy, BENCH_SECONDS each, fresh data dir each (the adaptive one starts knowing nothing).
# Prints per strategy: episodes, recovered, exhausted, MTTR (mean/p50/p95, failure -> healthy)
# and steps per recovery, from the event log, and the report command's MTTR as a cross-check.
#
# STICKY=1: the check passes whatever (like the default browser check, which looks at the browser,
# not at the worker: reviewer R24), and a failure stays until a step that repairs it has run; the
# table's RELAPSED column counts recoveries whose profile's next session failed again (FINISHED:
# sessions that succeeded; PAUSED: profiles paused, for 24 h, in the window). JAR=<a jar>
# runs another build (a before/after: the script's own build is the default), STRATEGIES the ones
# to run ("fixed adaptive"), OUT the output directory (bench/out/adaptive).
#
# Usage: bench/adaptive/run.sh          env: BENCH_SECONDS (120), FAIL_PERCENT (30), EXPLORE (0.1),
#                                            STICKY (0), JAR, STRATEGIES, OUT
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(cd "$here/../.." && pwd)"
out="${OUT:-$root/bench/out/adaptive}"
seconds="${BENCH_SECONDS:-120}"; fail="${FAIL_PERCENT:-30}"; explore="${EXPLORE:-0.1}"; sticky="${STICKY:-0}"
strategies="${STRATEGIES:-fixed adaptive}"
for tool in mvn java python3 awk od; do
  command -v "$tool" >/dev/null || { echo "adaptive: needs $tool on PATH" >&2; exit 2; }
done
runner=""
cleanup() { [ -n "$runner" ] && kill -TERM "$runner" 2>/dev/null && wait "$runner" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$out"
jar="${JAR:-}"
if [ -z "$jar" ]; then
  echo "adaptive: building the jar" >&2
  (cd "$root" && { mvn -B -q -o package -DskipTests >"$out/build.log" 2>&1 || mvn -B -q package -DskipTests >>"$out/build.log" 2>&1; }) \
    || { cat "$out/build.log" >&2; echo "adaptive: the build failed" >&2; exit 1; }
  jar="$root/target/smart-runner.jar"
fi
[ -f "$jar" ] || { echo "adaptive: JAR $jar: no such file" >&2; exit 2; }

for strategy in $strategies; do
  dir="$out/$strategy"; rm -rf "$dir"; mkdir -p "$dir/work"
  steps=""
  for k in 1 2 3 4 5; do
    steps+="${steps:+, }{\"name\": \"step$k\", \"command\": [\"$here/step.sh\", \"$dir/work\", \"{profileId}\", \"$k\"]}"
  done
  check="[\"/bin/sh\", \"-c\", \"test -f '$dir/work/ok-{profileId}'\"]"
  [ "$sticky" = 1 ] && check='["/bin/true"]'
  cat >"$dir/config.json" <<JSON
{"runner": {"globalConcurrency": 8, "dataDir": "data", "eventLog": "logs/events.jsonl", "startJitterMs": 0},
 "http": {"port": 0},
 "browser": {"provider": "none"},
 "session": {"command": ["$here/worker.sh", "$dir/work", "{profileId}"], "env": {"FAIL_PERCENT": "$fail", "STICKY": "$sticky"},
             "timeoutMs": 60000, "cooldownMs": 500, "stopGraceMs": 5000},
 "recovery": {"maxRecoverySteps": 5, "retryBackoffMs": 2000, "stepTimeoutMs": 8000, "maxErrorStreak": 10,
              "strategy": "$strategy", "adaptive": {"explore": $explore},
              "steps": [$steps],
              "verify": {"command": $check}},
 "pods": [{"name": "podA", "profiles": [{"id": "k12im9s2"}, {"id": "demo-a2"}, {"id": "demo-a3"}]},
          {"name": "podB", "profiles": [{"id": "demo-b1"}, {"id": "demo-b2"}]}]}
JSON
  echo "adaptive: $strategy for ${seconds}s ..." >&2
  (cd "$dir" && exec java -XX:+UseSerialGC -jar "$jar" run -c config.json >"$dir/runner.out" 2>"$dir/runner.err") &
  runner=$!
  sleep "$seconds"
  kill -TERM "$runner"; wait "$runner" || true; runner=""
  (cd "$dir" && java -jar "$jar" report --json -c config.json >"$dir/report.json" 2>"$dir/report.err") || true
done

python3 - "$out" $strategies <<'PY'
import json, sys, statistics
from datetime import datetime
out = sys.argv[1]
def ts(s): return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
print(f"{'strategy':9} {'failures':>8} {'episodes':>8} {'recovered':>9} {'exhausted':>9} {'MTTR mean s':>11} "
      f"{'p50 s':>6} {'p95 s':>6} {'steps/recovery':>14} {'report MTTR s':>13} {'relapsed':>8} {'finished':>8} "
      f"{'paused':>6}")
for strategy in sys.argv[2:]:
    failed_at, steps, mttr, used, exhausted, failures = {}, {}, [], [], 0, 0
    recovered_last = set()  # profiles whose last episode ended recovered, until their next session ends
    relapsed, finished, paused = 0, 0, set()
    with open(f"{out}/{strategy}/logs/events.jsonl") as f:
        for line in f:
            e = json.loads(line)
            if e["event"] == "error" and e["params"].get("reason") != "shutdown":
                failures += 1
                failed_at[e["sessionId"]] = ts(e["ts"])
                if e["profileId"] in recovered_last:
                    relapsed += 1
                recovered_last.discard(e["profileId"])
            elif e["event"] == "finish":
                finished += 1
                recovered_last.discard(e["profileId"])
            elif e["event"] == "pause":
                paused.add(e["profileId"])
            elif e["event"] == "recover":
                s = e["sessionId"]
                if e["outcome"] == "exhausted":
                    exhausted += 1
                    continue
                steps[s] = steps.get(s, 0) + 1
                if e["outcome"] == "ok":
                    recovered_last.add(e["profileId"])
                if e["outcome"] == "ok" and s in failed_at:
                    mttr.append(ts(e["ts"]) - failed_at[s])
                    used.append(steps[s])
    report = json.load(open(f"{out}/{strategy}/report.json"))
    pods = report["pods"].values()
    rec = sum(p["recovered"] for p in pods)
    rep_mttr = sum(p["meanTimeToRecoveryMs"] * p["recovered"] for p in pods) / rec / 1000 if rec else 0
    q = statistics.quantiles(mttr, n=20) if len(mttr) > 1 else [0] * 19
    print(f"{strategy:9} {failures:8} {len(mttr) + exhausted:8} {len(mttr):9} {exhausted:9} "
          f"{statistics.mean(mttr) if mttr else 0:11.2f} {statistics.median(mttr) if mttr else 0:6.2f} {q[18]:6.2f} "
          f"{statistics.mean(used) if used else 0:14.2f} {rep_mttr:13.2f} {relapsed:8} {finished:8} {len(paused):6}")
PY
[ -f "$out/adaptive/report.json" ] || exit 0
echo "adaptive: details in $out/<strategy>/ (events, report.json); the adaptive run's signatures:" >&2
python3 - "$out/adaptive/report.json" <<'PY' >&2
import json, sys
for sig, v in json.load(open(sys.argv[1])).get("signatures", {}).items():
    rates = ", ".join(f"{n} {s['successRate']:.2f}" for n, s in v["steps"].items())
    print(f"  {sig}: start step {v['startStep']} ({v['startAction']}); rates {rates}")
PY
