#!/usr/bin/env bash
# Issue #12.2, side by side: the same site outage against 50 profiles (real runner, real curl
# sessions, a real local site answering 503 while down), with the fleet breaker and without it.
# Times are scaled (breaker.windowMs 10 s, probeIntervalMs 5 s, outage 30 s; OUTAGE_MS overrides
# the outage). Prints one FIGURE line per run: profiles paused at the end, when the breaker opened
# and closed, sessions per second before the outage and after the return. About 4 minutes.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$home"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
mvn -B -o -Dstyle.color=never test -Dtest=OutageE2ETest -Dsurefire.failIfNoSpecifiedTests=false \
    -Doutage.ms="${OUTAGE_MS:-30000}" -DexcludedGroups=none >"$out" 2>&1 || {
  grep -E "FIGURE|Tests run|FAIL|expected" "$out" >&2 || tail -50 "$out" >&2
  echo "bench/outage: the run failed (see above)" >&2
  exit 1
}
echo "outage of ${OUTAGE_MS:-30000} ms, 50 profiles, session = curl -fsS http://127.0.0.1:<port>/, cooldown 1 s, maxErrorStreak 3"
if ! grep -qE "^FIGURE" "$out"; then
  tail -40 "$out" >&2
  echo "bench/outage: no figures were printed (see above)" >&2
  exit 1
fi
grep -E "^FIGURE" "$out" | sed 's/^FIGURE /  /'
