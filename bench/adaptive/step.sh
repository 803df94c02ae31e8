#!/bin/sh
# Ladder step K of 5 (bench/adaptive): costs K * 0.2 s, like cheap page steps and a dear browser
# restart, and repairs a failure of kind <= K (a restart repairs whatever a page step does).
# Usage: step.sh STATE_DIR PROFILE_ID K
d=$1; p=$2; k=$3
sleep "$(awk "BEGIN{print $k * 0.2}")"
need=$(cat "$d/need-$p" 2>/dev/null || echo 0)
if [ "$need" -le "$k" ]; then touch "$d/ok-$p"; rm -f "$d/need-$p"; fi
exit 0
