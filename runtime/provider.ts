/**
 * Execution providers. CPU ships inside onnxruntime-node. CUDA needs the CUDA provider library next
 * to the binding (onnxruntime-node installs it only when asked to, e.g. ONNXRUNTIME_NODE_INSTALL_CUDA)
 * plus the CUDA runtime and a GPU: asking for it without them must fail at start, in words.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { settingName } from './config.js';
import { RuntimeStartError } from './errors.js';

/** Docker's way to hand a container the GPUs (its flag, not ours). */
const DOCKER_GPUS = 'docker run --gpus all';

const CUDA_LIBRARY =
  process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';

export function bindingDir(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('onnxruntime-node');
  return join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

export function checkProvider(provider: 'cpu' | 'cuda'): void {
  if (provider === 'cpu') return;
  let dir: string;
  try {
    dir = bindingDir();
  } catch {
    throw new RuntimeStartError(
      'execution provider "cuda" was requested but onnxruntime-node is not installed',
    );
  }
  if (!existsSync(join(dir, CUDA_LIBRARY))) {
    throw new RuntimeStartError(
      `execution provider "cuda" was requested but this onnxruntime-node has no CUDA provider (${CUDA_LIBRARY} is not in ${dir}); install it with CUDA support (ONNXRUNTIME_NODE_INSTALL_CUDA=v12) on a machine with an NVIDIA GPU and CUDA 12, or use ${settingName('provider', 'cpu')}`,
    );
  }
  if (process.platform === 'linux' && !existsSync('/dev/nvidiactl')) {
    throw new RuntimeStartError(
      `execution provider "cuda" was requested but no NVIDIA GPU is visible (/dev/nvidiactl is missing); run with a GPU (${DOCKER_GPUS}) or use ${settingName('provider', 'cpu')}`,
    );
  }
}
