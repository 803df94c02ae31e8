#!/usr/bin/env bash
# The benches' build: target/smart-runner.jar and its start-up cache, fresh for bin/smart-runner.
# Usage: bench/build-jar.sh NAME LOG   (NAME prefixes what it says; LOG gets maven's output)
# Offline first, then online (a fresh machine's local repository may lack a plugin). bin/smart-runner
# would rebuild a jar older than the sources (maven may find nothing to do after a checkout): then
# the jar is touched, and its start-up cache made again, since the cache's stamps name the jar's
# mtime (a touch alone left every later start, and the next bench's, without the class archive).
set -uo pipefail
name="$1"; log="$2"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/smart-runner.jar"
echo "$name: building the jar" >&2
if ! (cd "$root" && { mvn -B -q -o package -DskipTests >"$log" 2>&1 || mvn -B -q package -DskipTests >>"$log" 2>&1; }); then
  cat "$log" >&2; echo "$name: the build failed" >&2; exit 1
fi
if [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit)" ]; then
  touch "$jar"
  "$root/bin/startup-cache" "$jar" 2>>"$log" || true
fi
