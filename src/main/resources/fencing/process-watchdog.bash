# Smart Runner's process watchdog (docs/cluster-fencing.md, docs/containment.md). Started by the
# runner as its child: bash -c "<this text>" smart-runner-watchdog <runner pid> <timeout ms> <cgroup dir | -> <runner id | ->
# A timeout of 0 is a single machine's death watch: no feeds come, and only the runner's death
# (the pipe's EOF) fires it; it sleeps in one blocking read until then, costing nothing.
# Nothing but pids, a cgroup path and the runner id ever reach it (argv and its stdin), never a
# shell string.
# stdin, one line each:  f = the engine loop turned (feed) · + PID / - PID = a launch's process
# group to kill / no longer · q = the runner stopped its sessions itself: exit, kill nothing.
# On EOF (the runner died: its end of the pipe closed), on the runner no longer being its parent,
# or after <timeout ms> without a feed (frozen JVM, stuck loop), it kills every session tree and
# the runner, then exits: it never outlives being useless.
set -u
# Ctrl-C / Ctrl-Z at a terminal reach the whole foreground group: only the runner decides. A
# stopped runner (Ctrl-Z) must not keep its sessions: this watchdog goes on counting.
trap '' INT HUP QUIT TSTP TTIN TTOU PIPE USR1 USR2
runner=$1
timeout_cs=$(( $2 / 10 ))
cgroup=$3
runner_id=${4:--}
[[ $runner_id =~ ^[A-Za-z0-9._-]+$ ]] || runner_id=-
declare -A groups=()
found=()
tagged=()

# Centiseconds since boot (CLOCK_BOOTTIME via /proc/uptime: monotonic, counts a suspend), no fork.
now_cs() {
  local up rest
  read -r up rest < /proc/uptime
  now=$(( 10#${up/./} ))
}

# Whether the runner is still alive as our parent (a dead runner's pid may be reused: never kill that).
runner_is_parent() {
  local line rest
  { read -r line < "/proc/$$/stat"; } 2>/dev/null || return 1
  rest=${line##*) }
  set -- $rest
  [ "$2" = "$runner" ]
}

# Every descendant of the runner but this watchdog, into found[] (one pass over /proc).
find_descendants() {
  local -A kids=()
  local f line rest pid p c
  for f in /proc/[0-9]*/stat; do
    { read -r line < "$f"; } 2>/dev/null || continue
    pid=${line%% *}
    rest=${line##*) }
    set -- $rest
    kids[$2]+="$pid "
  done
  found=()
  local queue=("$runner")
  while (( ${#queue[@]} )); do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    for c in ${kids[$p]:-}; do
      [ "$c" = "$$" ] && continue
      found+=("$c")
      queue+=("$c")
    done
  done
}

# Into tagged[]: every process whose environment carries SR_RUNNER_ID=<runner id> (every launch of
# the runner does) and that started no later than the fire (fire's fired_cs: centiseconds since
# boot, as /proc/uptime; a process's start time counts USER_HZ ticks since boot, 100 a second). A launch the runner had
# not told of yet (it died between the spawn and the "+ pid" line) is found only this way; a
# process started since the fire is a next runner's with the same id, never this one's.
find_tagged() {
  local f pid line rest
  tagged=()
  [ "$runner_id" = - ] && return
  while IFS= read -r f; do
    pid=${f#/proc/}
    pid=${pid%/environ}
    [ "$pid" = "$runner" ] && continue
    { read -r line < "/proc/$pid/stat"; } 2>/dev/null || continue
    rest=${line##*) }
    set -- $rest
    [[ ${20:-} =~ ^[0-9]+$ ]] && (( ${20} <= fired_cs )) && tagged+=("$pid")
  done < <(grep -lzxF -e "SR_RUNNER_ID=$runner_id" /proc/[0-9]*/environ 2>/dev/null)
}

# $1 why; $2 "runner" to kill the runner too (it is frozen or stuck), else only its sessions
# (its pipe closed: it died, or it is exiting without having stopped them)
fire() {
  local alive=no pass fired_cs any=no key value
  now_cs
  fired_cs=$now
  runner_is_parent && alive=yes
  # a frozen or stuck runner launches nothing more while its sessions are killed
  [ $alive = yes ] && [ "${2:-}" = runner ] && kill -STOP "$runner" 2>/dev/null
  # cgroup v2: every session, browser and step with whatever they forked, setsid or not (whether
  # anything ran is read first: the killed leave as they die)
  if [ "$cgroup" != - ]; then
    while read -r key value; do
      [ "$key" = populated ] && [ "$value" = 1 ] && any=yes
    done 2>/dev/null < "$cgroup/cgroup.events"
    { echo 1 > "$cgroup/cgroup.kill"; } 2>/dev/null
  fi
  # the process group of each launch the runner told of
  for g in "${!groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null && any=yes; done
  # what carries the runner's id: a launch not told of yet, a daemon that left its group. Three
  # passes 50 ms apart, even when one finds nothing: a launch caught between its clone and its exec
  # still shows the runner's own environment (a killed process's reads empty)
  for pass in 1 2 3; do
    find_tagged
    (( ${#tagged[@]} )) && kill -KILL "${tagged[@]}" 2>/dev/null && any=yes
    (( pass < 3 )) && sleep 0.05
  done
  if [ $alive = yes ]; then
    # what left its group but is still below the runner (adopted by it as subreaper); a child
    # forked meanwhile is adopted by the stopped runner too: look again until nothing is left
    for pass in 1 2 3; do
      find_descendants
      (( ${#found[@]} )) || break
      kill -KILL "${found[@]}" 2>/dev/null && any=yes
    done
  fi
  local what="the sessions of runner pid $runner"
  [ $any = no ] && what="nothing: no process of runner pid $runner's sessions was running"
  if [ $alive = yes ] && [ "${2:-}" = runner ]; then
    kill -KILL "$runner" 2>/dev/null
    what="the sessions of runner pid $runner and the runner"
    [ $any = no ] && what="runner pid $runner (no process of its sessions was running)"
  fi
  echo "smart-runner watchdog: $1: killed $what" >&2
  exit 0
}

# One line of the runner's: $1 the command, $2 its argument.
apply() {
  case $1 in
    f) now_cs; last=$now ;;
    +) [[ $2 =~ ^[1-9][0-9]*$ ]] && groups[$2]=1 ;;
    -) [[ $2 =~ ^[1-9][0-9]*$ ]] && unset "groups[$2]" ;;
    q) exit 0 ;;
  esac
}

if (( timeout_cs == 0 )); then
  while read -r cmd arg; do apply "$cmd" "${arg:-}"; done
  fire "the runner closed its end of the pipe (it died, or exits without having stopped them)"
fi

now_cs
last=$now
while :; do
  if read -r -t 0.25 cmd arg; then
    apply "$cmd" "${arg:-}"
  elif (( $? <= 128 )); then
    fire "the runner closed its end of the pipe (it died, or exits without having stopped them)"
  fi
  if ! runner_is_parent; then
    # what it wrote before it died may still be in the pipe (it died between this loop's read and
    # this check): a group it gave back last, or its "q", counts; the read ends at the pipe's EOF
    while read -r -t 0.05 cmd arg; do apply "$cmd" "${arg:-}"; done
    fire "runner pid $runner is gone"
  fi
  now_cs
  if (( now - last > timeout_cs )); then
    fire "no sign of life from the runner's engine loop for $(( (now - last) * 10 )) ms (limit $(( timeout_cs * 10 )) ms)" runner
  fi
done
