#!/usr/bin/env bash
# Starts a Docker engine for tests and prints `export DOCKER_HOST=...` (use: eval "$(scripts/docker-engine.sh start)").
# Reuses DOCKER_HOST or /var/run/docker.sock when an engine already answers there. Containers need
# --network host: the engine runs with --bridge=none --iptables=false, as this machine allows.
set -euo pipefail
state=${BENTOCI_DOCKER_STATE:-/tmp/bentoci-dockerd}
case "${1:-start}" in
  start)
    for host in "${DOCKER_HOST:-}" unix:///var/run/docker.sock "unix://$state/docker.sock"; do
      [ -n "$host" ] || continue
      if DOCKER_HOST=$host timeout 5 docker version >/dev/null 2>&1; then echo "export DOCKER_HOST=$host"; exit 0; fi
    done
    command -v dockerd >/dev/null || { echo "docker-engine: dockerd not installed (apt-get install docker.io)" >&2; exit 1; }
    mkdir -p "$state"
    nohup dockerd --bridge=none --iptables=false --ip6tables=false \
      --host "unix://$state/docker.sock" --data-root "$state/data" --exec-root "$state/exec" \
      --pidfile "$state/dockerd.pid" >"$state/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
      if DOCKER_HOST="unix://$state/docker.sock" docker version >/dev/null 2>&1; then
        echo "export DOCKER_HOST=unix://$state/docker.sock"; exit 0
      fi
      sleep 0.5
    done
    echo "docker-engine: dockerd did not start; see $state/dockerd.log" >&2; tail -5 "$state/dockerd.log" >&2; exit 1 ;;
  stop)
    [ -f "$state/dockerd.pid" ] && kill "$(cat "$state/dockerd.pid")" 2>/dev/null || true ;;
esac
