#!/usr/bin/env bash
# The quick start, end to end on the bundled example: generate the ONNX models, save them, build the
# bento, containerize it (when a Docker engine answers), serve it and predict.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/onnxruntime-node ]; then
  echo "== npm ci"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
fi
[ -f dist/cli.js ] || npm run build
export BENTOCI_HOME=${BENTOCI_HOME:-$(mktemp -d -t bentoci-example-XXXXXX)}
bentoci() { node dist/cli.js "$@"; }
port=${PORT:-3111}
server=""
container=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; fi
  [ -n "$container" ] && docker rm -f "$container" >/dev/null 2>&1 || true
}
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 120); do
    if node -e "fetch('http://127.0.0.1:$1/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then return 0; fi
    sleep 0.5
  done
  echo "the server on port $1 did not become ready" >&2
  return 1
}

predict() {
  echo "POST http://127.0.0.1:$1/predict"
  node -e "
    fetch('http://127.0.0.1:$1/predict', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]) })
      .then(async (r) => { const t = await r.text(); console.log(r.status, t); process.exit(r.ok ? 0 : 1); })"
}

echo "== store: $BENTOCI_HOME"
echo "== generate the example models"
npx tsx examples/generate-models.ts
echo "== save them"
bentoci models save iris examples/iris/models/iris.onnx --label stage=candidate
bentoci models save two_inputs examples/iris/models/two_inputs.onnx
bentoci models list
echo "== build the bento"
bentoci build examples/iris
bentoci list

if [ -n "${DOCKER_HOST:-}" ] || [ -S /var/run/docker.sock ] || [ -S /tmp/bentoci-dockerd/docker.sock ]; then
  [ -z "${DOCKER_HOST:-}" ] && [ ! -S /var/run/docker.sock ] && export DOCKER_HOST=unix:///tmp/bentoci-dockerd/docker.sock
fi
if docker version >/dev/null 2>&1; then
  echo "== containerize (engine at ${DOCKER_HOST:-default socket})"
  if bentoci containerize iris_classifier:latest --tag bentoci-example/iris:latest; then
    container=bentoci-example-$$
    docker run -d --rm --name "$container" --network host -e BENTOCI_PORT=$((port + 1)) \
      bentoci-example/iris:latest >/dev/null
    wait_ready $((port + 1)) && predict $((port + 1))
    docker rm -f "$container" >/dev/null; container=""
  else
    echo "containerize failed (base images must be pullable or present locally; see docs/containerize.md)" >&2
  fi
else
  echo "== containerize: skipped, no Docker engine answers (scripts/docker-engine.sh start starts one)"
fi

echo "== serve and predict"
# node itself, not the bentoci function, so $! is the process that passes SIGTERM on to the runtime.
node dist/cli.js serve iris_classifier:latest --port "$port" --host 127.0.0.1 &
server=$!
wait_ready "$port"
predict "$port"
echo "== done"
