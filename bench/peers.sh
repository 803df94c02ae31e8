#!/usr/bin/env bash
# Issue #13's two tables, with the C and bare-JVM baselines measured in the same run: the shared
# side-by-side harness (../shared/bench-peers: the same `stamp` child under every supervisor) for
# the per-restart, start, idle and stop rows, then its sr_scale.py for the 10 000-profile fleet.
# Usage: bench/peers.sh [--quick] [--no-fleet] [--reps N]
#   --quick     one repetition of everything, a 30 s fleet window (a smoke run, not figures)
#   --no-fleet  only the first table
# Env: BENCH_PEERS (the harness directory), BENCH_JAVA_OPTS (extra JVM flags for the runner),
#      PEERS (default c-minimal,java-minimal,smart-runner,smart-runner-c32; pm2 added when installed),
#      BENCH_OUT (where the run's files and tables go; default bench/out/peers).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
reps=3; fleet=1; fleet_secs=90
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) reps=1; fleet_secs=30 ;;
    --no-fleet) fleet=0 ;;
    --reps) reps="$2"; shift ;;
    *) echo "usage: bench/peers.sh [--quick] [--no-fleet] [--reps N]" >&2; exit 2 ;;
  esac
  shift
done
peers_dir="${BENCH_PEERS:-}"
if [ -z "$peers_dir" ]; then
  for d in "$root/../shared/bench-peers" "$root/../../shared/bench-peers" /work/shared/bench-peers; do
    [ -f "$d/harness.py" ] && { peers_dir="$(cd "$d" && pwd)"; break; }
  done
fi
[ -n "$peers_dir" ] && [ -f "$peers_dir/harness.py" ] \
  || { echo "bench/peers.sh: no bench-peers harness found; set BENCH_PEERS to its directory" >&2; exit 2; }

out="${BENCH_OUT:-$here/out/peers}"
# the directory is emptied first: one named by BENCH_OUT only when empty or an earlier run's
if [ -n "${BENCH_OUT:-}" ] && [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -e "$out/.bench-peers-out" ]; then
  echo "bench/peers.sh: BENCH_OUT=$out is neither empty nor an earlier run's output; name a new directory" >&2
  exit 2
fi
rm -rf "$out"; mkdir -p "$out/scratch"; : >"$out/.bench-peers-out"
out="$(cd "$out" && pwd)"
export BENCH_SCRATCH="$out/scratch"
# ext4 without a journal (some VM images) checks, for every new file, whether each free inode it
# considers was deleted in the last 1 to 6 minutes (find_inode_bit -> recently_deleted): right
# after a mass deletion, such as the rm above of a previous run's 60 000 files, a create costs
# up to 30x more, and the cold-start and first-wave figures carry it (docs/performance.md)
fs_note=""
if [ "$(stat -f -c %T "$out")" = ext2/ext3 ]; then
  dev="$(df --output=source "$out" | tail -1)"; dev="${dev#/dev/}"
  if [ -d "/proc/fs/ext4/$dev" ] && ! ls -d "/proc/fs/jbd2/$dev-"* >/dev/null 2>&1; then
    fs_note="$out is on ext4 without a journal ($dev): file creation right after a mass deletion is slow there; set BENCH_OUT to a journaled file system for figures a usual machine would give"
    echo "bench/peers.sh: $fs_note" >&2
  fi
fi
# each fleet run leaves ~25 000 files (its sessions' stamps and logs) for refill_split.py: on a
# small file system (a 3 GB loop mount has 196 608 inodes) a later run's spawns failed with ENOSPC
if [ "$fleet" = 1 ]; then
  inodes_free="$(stat -f -c %d "$out")"; inodes_total="$(stat -f -c %c "$out")"
  need=$((40000 * reps + 10000))  # with the C supervisor's runs (10 000 stamp files each)
  if [ "$inodes_total" -gt 0 ] && [ "$inodes_free" -lt "$need" ]; then
    echo "bench/peers.sh: $out has $inodes_free free inodes, the fleet runs need about $need; free some or set BENCH_OUT elsewhere" >&2
    exit 2
  fi
fi
gcc -O2 -o "$BENCH_SCRATCH/stamp" "$peers_dir/stamp.c"
gcc -O2 -o "$BENCH_SCRATCH/exit1" "$peers_dir/exit1.c"
gcc -O2 -o "$BENCH_SCRATCH/spawnbench" "$peers_dir/spawnbench.c"
javac -d "$BENCH_SCRATCH" "$peers_dir/SpawnBench.java"
# build the jar (and its class archive) once, outside the timed starts
"$root/bin/smart-runner" --version >/dev/null
# the cold-start rows mean the start-up cache as bin/smart-runner uses it: only while its stamps
# (target/smart-runner.jsa.ok: the archive's size and mtime, then the jar's) still match
jar="$root/target/smart-runner.jar"
cache_matches() { [ "$(stat -c '%s %Y' "${jar%.jar}.jsa" "$jar" 2>/dev/null)" = "$(cat "${jar%.jar}.jsa.ok" 2>/dev/null)" ]; }
if ! cache_matches; then
  echo "bench/peers.sh: the start-up cache does not match the jar: making it again (bin/startup-cache)" >&2
  "$root/bin/startup-cache" "$jar"
  cache_matches || echo "bench/peers.sh: still no start-up cache: the cold-start rows are measured without it" >&2
fi

# the runner's JVM gets BENCH_JAVA_OPTS; a wrapper keeps the harness's "the CLI execs the JVM" (same pid).
# It also turns the fleet breaker off in the harness's config (which predates it): a pod whose every
# profile crashes is what the breaker holds, and the crash loop would measure its probes instead.
cat >"$out/smart-runner" <<EOF
#!/usr/bin/env bash
if [ "\${1:-}" = run ] && [ "\${2:-}" = -c ] && ! grep -q '"breaker"' "\$3"; then
  sed -i '1s/^{/{"breaker": {"enabled": false}, /' "\$3"
fi
JAVA_OPTS="${BENCH_JAVA_OPTS:-}" exec "$root/bin/smart-runner" "\$@"
EOF
chmod +x "$out/smart-runner"
export SMART_RUNNER="$out/smart-runner"
# a free port for the fleet's API probes (the harness's own runs do not need a fixed one)
SR_HTTP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export SR_HTTP_PORT

peers="${PEERS:-c-minimal,java-minimal,smart-runner,smart-runner-c32}"
command -v pm2 >/dev/null && [ -z "${PEERS:-}" ] && peers="$peers,pm2"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench/peers.sh: load before: $load_before; $reps repetition(s); peers $peers" >&2
cd "$root"
python3 "$peers_dir/harness.py" --peers "$peers" --tests crash --reps "$reps" --out "$out/results.json"
# the scale test without the c32 variant (it is a crash-loop setting); the harness keeps the crash results
python3 "$peers_dir/harness.py" --peers "${peers//,smart-runner-c32/}" --tests scale --reps "$reps" --out "$out/results.json"
fleet_files=()
refill_args=()
c_fleet_files=()
fleet_profiles=10000; fleet_conc=1000  # sr_scale.py's run directory is named after them
if [ "$fleet" = 1 ]; then
  for i in $(seq "$reps"); do
    # a scratch of its own per run: sr_scale.py removes its run directory first, and the 20 000 files
    # of the previous run removed just before would slow this run's first wave (see fs_note above)
    mkdir -p "$out/fleet-scratch$i"; cp "$BENCH_SCRATCH/stamp" "$out/fleet-scratch$i/"
    BENCH_SCRATCH="$out/fleet-scratch$i" python3 "$peers_dir/sr_scale.py" --profiles "$fleet_profiles" --pods 10 \
      --conc "$fleet_conc" \
      --sleep 2 --secs "$fleet_secs" --out "$out/fleet$i.json" >/dev/null
    fleet_files+=("$out/fleet$i.json")
    refill_args+=("$out/fleet$i.json" "$out/fleet-scratch$i/runs/smart-runner-scale/${fleet_profiles}x$fleet_conc")
    # right after the run: its events are on the wall clock, its stamps on the monotonic one
    { echo "run $i:"; python3 "$here/refill_parts.py" "${refill_args[@]: -2}"; } > "$out/refill-parts$i.txt"
  done
  # the same fleet under a bare C supervisor (posix_spawn, waitpid, no bookkeeping), timed from the
  # same stamps: what this machine allows any supervisor, the fleet table's limit column
  gcc -O2 -pthread -o "$out/c_fleet" "$here/c_fleet.c"
  for i in $(seq "$reps"); do
    mkdir -p "$out/c-fleet$i"
    "$out/c_fleet" "$out/c-fleet$i" "$BENCH_SCRATCH/stamp" "$fleet_profiles" 10 "$fleet_conc" 2 "$fleet_secs"
    python3 "$here/refill_split.py" --summary "$out/c-fleet$i/fleet.json" "$out/c-fleet$i" > "$out/c-fleet$i.json"
    c_fleet_files+=("$out/c-fleet$i.json")
  done
fi
export BENCH_LOAD="load average (1, 5, 15 min) before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)${fs_note:+; $fs_note}"
python3 "$here/peers_tables.py" "$out/results.json" "${fleet_files[@]}" \
  ${c_fleet_files[@]:+--c-fleet "${c_fleet_files[@]}"} | tee "$out/tables.md"
# the fleet's refill without the first wave's echo (its 1 000 sessions end together)
if [ "${#refill_args[@]}" -gt 0 ]; then
  echo | tee -a "$out/tables.md"
  python3 "$here/refill_split.py" "${refill_args[@]}" | tee -a "$out/tables.md"
  echo | tee -a "$out/tables.md"
  cat "$out"/refill-parts*.txt | tee -a "$out/tables.md"
fi
# the sessions' own processes, without any supervisor: the floor under the per-restart and fleet rows
echo | tee -a "$out/tables.md"
python3 "$here/child_floor.py" "$BENCH_SCRATCH/stamp" 1000 | tee -a "$out/tables.md"
