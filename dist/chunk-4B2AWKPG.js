import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  require_docker
} from "./chunk-RFDC7OHM.js";
import {
  BentoError
} from "./chunk-QGJIJT2I.js";
import {
  __toESM
} from "./chunk-QU3QV6A2.js";

// src/containerize/engine.ts
var import_dockerode = __toESM(require_docker(), 1);
var DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
function dockerHostOf(env = process.env) {
  return env["DOCKER_HOST"] || DEFAULT_DOCKER_HOST;
}
var START_ENGINE_HINT = 'start one (`sudo dockerd`, or in a bentoci checkout `eval "$(bash scripts/docker-engine.sh start)"`) or set DOCKER_HOST to a running engine';
async function connectEngine(options = {}) {
  const docker = new import_dockerode.default();
  const host = dockerHostOf();
  const timeoutMs = options.timeoutMs ?? 1e4;
  let timer;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1e3} s`)), timeoutMs);
      })
    ]);
  } catch (err) {
    const reason = err instanceof Error ? err.code ?? err.message : String(err);
    throw new BentoError(`no Docker engine reachable at ${host} (${reason}): ${START_ENGINE_HINT}`);
  } finally {
    clearTimeout(timer);
  }
  return docker;
}

export {
  connectEngine
};
