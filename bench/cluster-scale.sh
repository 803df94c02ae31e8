#!/usr/bin/env bash
# Cluster scale bench (issue #11, "How to prove it"): 3 runners on one throwaway PostgreSQL (durable
# defaults) sharing one fleet of 6 000 profiles (every runner lists all 6 000; with leases each runs
# ~2 000), a warm-up, then a measured window. Prints: lease writes/s (rows and statements), heartbeat
# and total writes/s, p99 start lag (from the events: a profile's last end anywhere + cooldown ->
# its next start), database CPU (the server's processes, from /proc), runners' CPU.
#
# Usage: bench/cluster-scale.sh      (~4-5 min: start-up, 60 s warm-up, 120 s window)
#        PROFILES=1500 WARMUP_SECONDS=30 MEASURE_SECONDS=60 bench/cluster-scale.sh
# Knobs (env): RUNNERS (3) PROFILES (6000) WARMUP_SECONDS (60) MEASURE_SECONDS (120)
#   SESSION_MIN_MS/SESSION_MAX_MS (1000/3000) COOLDOWN_MS (60000) START_JITTER_MS (60000)
#   GLOBAL_CONCURRENCY (400 per runner) POOL_SIZE (4) PG_FAST=1 (fsync off)
#   FLEET (shared: every runner lists all profiles; split: each its own PROFILES/RUNNERS, disjoint)
#   LEASE_TTL_MS/RENEW_EVERY_MS/RENEW_DEADLINE_MS (15000/2000/10000; passed as cluster.* only when
#   the build accepts them)
# Re-print the table from a saved run: python3 bench/cluster/scale_check.py bench/out/cluster-scale
# Needs gcc, python3, psql and Debian's postgresql server (bin/setup --for-tests).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
out="$here/out/cluster-scale"
case "${1:-}" in -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
for tool in gcc python3 psql mvn java; do
  command -v "$tool" >/dev/null || { echo "cluster-scale: needs $tool on PATH" >&2; exit 2; }
done
mkdir -p "$out"
"$root/bench/build-jar.sh" cluster-scale "$out/build.log" || exit 1
gcc -O2 -Wall -o "$out/stamp_child" "$here/cluster/stamp_child.c"
python3 "$here/cluster/scale.py" "$root"
python3 "$here/cluster/scale_check.py" "$out" | tee "$out/table.txt"
