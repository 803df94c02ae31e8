# Sourced by bench scripts that run the shared harness's sr_scale.py: sets peers_dir to the
# bench-peers directory (BENCH_PEERS, else the usual places beside the checkout), or exits 2 naming
# the script ($1) that needed it. Needs $root (the checkout).
peers_dir="${BENCH_PEERS:-}"
for d in "$peers_dir" "$root/../shared/bench-peers" "$root/../../shared/bench-peers" /work/shared/bench-peers; do
  [ -n "$d" ] && [ -f "$d/sr_scale.py" ] && { peers_dir="$(cd "$d" && pwd)"; break; }
done
[ -f "$peers_dir/sr_scale.py" ] || { echo "$1: no bench-peers harness found; set BENCH_PEERS" >&2; exit 2; }
