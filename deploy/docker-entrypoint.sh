#!/bin/bash
# The image's entrypoint (under tini): NAME_FILE=/run/secrets/x puts that file's content into NAME
# for the two secrets the configs read with ${env:...} (Docker/compose secrets are files), then
# execs the launcher (bin/smart-runner: the JVM flags for the command, the start-up cache, the
# runner's spawn library and sr-cgroup-exec next to the jar), which execs the JVM: one process.
set -euo pipefail
for name in SR_PG_PASSWORD SR_TOKEN; do
  file_var="${name}_FILE"
  if [ -n "${!file_var:-}" ]; then
    value="$(<"${!file_var}")"
    export "$name=$value"
    unset "$file_var"
  fi
done
exec /opt/smart-runner/bin/smart-runner "$@"
