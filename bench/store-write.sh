#!/usr/bin/env bash
# Store write benchmark (issue #11): the time of one state write of 100 profiles + 100 sessions,
# SQLite (synchronous NORMAL, the default, and FULL) against PostgreSQL (a throwaway local server
# with durable defaults, started like the tests' one: needs Debian's postgresql, bin/setup --for-tests).
# Usage: bench/store-write.sh [WRITES=200]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
out="$here/out/store-write"; mkdir -p "$out"
cd "$root"
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$out/classpath.txt" >/dev/null
java -cp "target/test-classes:target/classes:$(cat "$out/classpath.txt")" \
  io.smartrunner.store.StoreWriteBench "${1:-200}" | tee "$out/result.txt"
