#!/usr/bin/env bash
# The test command (`npm test`): installs what the tests need on a fresh machine, starts a Docker engine,
# then lints, type-checks and runs every test. Tests that need Docker, the registry or skopeo fail
# (not skip) under CI=true when one is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ -n "${CI:-}" ]; then
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
fi
started_engine=0
if ! { [ -n "${DOCKER_HOST:-}" ] && timeout 5 docker version >/dev/null 2>&1; }; then
  eval "$(bash scripts/docker-engine.sh start)"
  started_engine=1
fi
export DOCKER_HOST
cleanup() { [ "$started_engine" = 1 ] && bash scripts/docker-engine.sh stop || true; }
trap cleanup EXIT
echo "== lint" && npm run lint --silent
echo "== typecheck" && npx tsc --noEmit
echo "== tests" && npx vitest run "$@"
