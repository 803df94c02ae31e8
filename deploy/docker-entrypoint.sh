#!/bin/bash
# The image's entrypoint (under tini): NAME_FILE=/run/secrets/x puts that file's content into NAME
# for the two secrets the configs read with ${env:...} (Docker/compose secrets are files), then
# runs the jar with the launcher's JVM flags (bin/smart-runner) in this process (exec). The image's
# JDK (Debian bookworm's 17.0.15+) knows -XX:TrimNativeHeapInterval, so it is given unconditionally.
set -euo pipefail
for name in SR_PG_PASSWORD SR_TOKEN; do
  file_var="${name}_FILE"
  if [ -n "${!file_var:-}" ]; then
    value="$(<"${!file_var}")"
    export "$name=$value"
    unset "$file_var"
  fi
done
exec java -XX:+UseSerialGC -Xss512k -Xms16m -Xmn8m -Xmx256m -XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70 \
  -XX:MaxMetaspaceSize=128m -XX:-UsePerfData -XX:TieredStopAtLevel=1 -XX:TrimNativeHeapInterval=10000 \
  -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0 -XX:AsyncDeflationInterval=5000 ${JAVA_OPTS:-} -jar /opt/smart-runner/smart-runner.jar "$@"
