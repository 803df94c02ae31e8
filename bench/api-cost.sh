#!/usr/bin/env bash
# The CPU one API read of the fleet costs the runner (issue #13), measured in-process on the
# thread's own CPU clock, so other processes on the machine do not count: GET /api/profiles (whole
# list, pages, filters) and GET /api/summary over PROFILES profiles. Complements api-scale.sh,
# whose wall-clock times include waiting for a core.
# Usage: bench/api-cost.sh [PROFILES=10000] [ROUNDS=200]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
out="$here/out/api-cost"; rm -rf "$out"; mkdir -p "$out"
(cd "$root" && mvn -B -q -o compile && mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$out/cp.txt" >/dev/null)
cp="$root/target/classes:$(cat "$out/cp.txt")"
javac -cp "$cp" -d "$out/classes" "$here/api-cost/ApiCost.java"
java -XX:+UseSerialGC -Xmx256m -cp "$cp:$out/classes" io.smartrunner.http.ApiCost "${1:-10000}" "${2:-200}"
