#!/usr/bin/env bash
# Cluster chaos bench (issue #11, "How to prove it"): a throwaway PostgreSQL, 3 runners with the same
# 60 profiles (sessions of 0.5-3 s, 5 % longer than the lease TTL), ROUNDS rounds of kill -9, SIGSTOP
# for STOP_SECONDS or graceful restart of a random runner, a final graceful stop, then one table:
# overlapping sessions of one profile (from the children's own stamps and a per-profile kernel
# lock, and from the events), worst takeover time, stale writes rejected, terminal events missing
# or duplicated, processes left. Exits 1 unless every target is met.
#
# Usage: bench/cluster-chaos.sh            (50 rounds: ~20-30 min)
#        ROUNDS=5 STOP_SECONDS=8 bench/cluster-chaos.sh   (a quick run)
# Knobs (env): ROUNDS (50) STOP_SECONDS (20) RUNNERS (3) PROFILES (60) SESSION_MIN_MS (500)
#   SESSION_MAX_MS (3000) LONG_PERCENT (5) LONG_MS (TTL + 5000) COOLDOWN_MS (300)
#   LEASE_TTL_MS (15000) RENEW_EVERY_MS (2000) RENEW_DEADLINE_MS (10000) -- passed as cluster.* only
#   when the build accepts them -- DOWN_SECONDS (TTL + 5: a killed runner stays down this long)
#   SETTLE_MIN_SECONDS/SETTLE_MAX_SECONDS (2/6) WARMUP_SECONDS (8) ACTIONS (kill9,sigstop,restart)
#   SEED PG_FAST=1 (fsync off)
# Re-print the table from a saved run: python3 bench/cluster/chaos_check.py bench/out/cluster-chaos
# Needs gcc, python3, psql and Debian's postgresql server (bin/setup --for-tests); root runs
# PostgreSQL as the postgres user.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
out="$here/out/cluster-chaos"
case "${1:-}" in -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
for tool in gcc python3 psql mvn java; do
  command -v "$tool" >/dev/null || { echo "cluster-chaos: needs $tool on PATH" >&2; exit 2; }
done
mkdir -p "$out"
"$root/bench/build-jar.sh" cluster-chaos "$out/build.log" || exit 1
gcc -O2 -Wall -o "$out/stamp_child" "$here/cluster/stamp_child.c"
python3 "$here/cluster/chaos.py" "$root"
python3 "$here/cluster/chaos_check.py" "$out" | tee "$out/table.txt"
