#!/bin/sh
# A demo-like session (bench/adaptive): one second of pretend work, and FAIL_PERCENT % of the time
# one of five failures, kind k needing ladder step k or later to be repaired (like the demo's five
# browser failures, docs/demo.md). The failure's kind is left in need-<profile> for the steps.
# Usage: worker.sh STATE_DIR PROFILE_ID
# With STICKY=1 a failure stays until a step that repairs it has run (step.sh removes need-<profile>):
# each session fails the same way again meanwhile, whatever the check said.
d=$1; p=$2
rm -f "$d/ok-$p"
sleep 1
r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
r=$((r % 100))
kind=0
if [ "${STICKY:-0}" = 1 ] && [ -f "$d/need-$p" ]; then
  kind=$(cat "$d/need-$p")
elif [ "$r" -lt "${FAIL_PERCENT:-30}" ]; then
  kind=$((r % 5 + 1))
  echo "$kind" > "$d/need-$p"
fi
if [ "$kind" -gt 0 ]; then
  case $kind in
    1) msg="page is broken: element #task not found" ;;
    2) msg="home page answered 503, task page kept" ;;
    3) msg="task state corrupted after navigation" ;;
    4) msg="tab closed unexpectedly" ;;
    *) msg="browser does not answer (DevTools timeout)" ;;
  esac
  # digits, pids and hex vary per run; the failure signature must not
  echo "$(date -u +%Y-%m-%dT%H:%M:%S) worker $$: $msg (tab 0x$(printf %x "$r")$$)" >&2
  exit $((kind + 2))
fi
exit 0
