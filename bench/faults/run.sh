#!/usr/bin/env bash
# Fault-injection suite (issue #9, point 11): breaks the real runner on purpose and prints one table:
# scenario | attempts | survived | events lost | duplicated terminal events | overlapping sessions |
# orphans left | integrity. Target: every row survived = attempts, 0 / 0 / 0 / 0, integrity ok.
# Needs root (diskfull mounts a tmpfs), gcc, python3, ss. Exits 1 unless every row meets the target.
#
# Usage: bench/faults/run.sh [--quick] [SCENARIO...]
#   scenarios: kill9 sigstop diskfull state-zero state-corrupt slowclients daemonize (default: all)
#   --quick (or FAULTS_QUICK=1): 10 kill -9s, shorter full-disk and slow-client periods (< 5 min)
#   counts: KILL9_ATTEMPTS (100), KILL9_EARLY_PERCENT (20: kills during start-up), FLEET_PROFILES (50), SIGSTOP_SECONDS (10), DISKFULL_SECONDS (15),
#           SLOW_SOCKETS (200), SLOW_SECONDS (30), LONG_PERCENT (5: sessions of 30 s), FAIL_PERCENT (30)
# kill9 runs the runner on the default port 7070: if another process listens there the scenario is
# skipped with one line. Everything else binds port 0; all traffic goes to 127.0.0.1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(cd "$here/../.." && pwd)"
out="$root/bench/out/faults"
all=(kill9 sigstop diskfull state-zero state-corrupt slowclients daemonize)
picked=()
for a in "$@"; do
  case "$a" in
    --quick) export FAULTS_QUICK=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) if [[ " ${all[*]} " == *" $a "* ]]; then picked+=("$a"); else
         echo "faults: unknown scenario '$a' (expected one of: ${all[*]})" >&2; exit 2; fi ;;
  esac
done
[ ${#picked[@]} -gt 0 ] || picked=("${all[@]}")
for tool in gcc python3 ss mvn java mount; do
  command -v "$tool" >/dev/null || { echo "faults: needs $tool on PATH" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "faults: needs root (diskfull mounts a tmpfs; orphans are found in /proc)" >&2; exit 2; }

driver=""
cleanup() {
  [ -n "$driver" ] && kill -TERM "$driver" 2>/dev/null && wait "$driver" 2>/dev/null || true
  python3 "$here/scenarios.py" "$root" --cleanup || true   # backstop: anything left under bench/out/faults
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$out"
"$root/bench/build-jar.sh" faults "$out/build.log" || exit 1
gcc -O2 -o "$out/stamp_child" "$here/stamp_child.c"

rows=()
for s in "${picked[@]}"; do
  if [ "$s" = kill9 ] && ss -ltnH 'sport = :7070' | grep -q .; then
    echo "faults: kill9 skipped: something already listens on port 7070 ($(ss -ltnpH 'sport = :7070' | grep -o 'users:.*' | head -1)); not touching it" >&2
    continue
  fi
  echo "faults: $s ..." >&2
  rm -f "$out/$s/row.json" "$out/$s.row.json"
  python3 "$here/scenarios.py" "$root" "$s" & driver=$!
  wait "$driver" || echo "faults: $s: the scenario stopped early (exit $?)" >&2
  driver=""
  if [ -f "$out/$s/row.json" ]; then rows+=("$out/$s/row.json"); else
    python3 -c 'import json,sys; json.dump({"scenario": sys.argv[1], "attempts": 0, "survived": 0, "lost": 0, "duplicated": 0,
      "overlapping": 0, "orphans": 0, "integrity": "not run (see above)", "sessions": 0, "notes": []}, open(sys.argv[2], "w"))' \
      "$s" "$out/$s.row.json"
    rows+=("$out/$s.row.json")
  fi
done
[ ${#rows[@]} -gt 0 ] || exit 1
python3 "$here/check.py" table "${rows[@]}" | tee "$out/table.txt"
