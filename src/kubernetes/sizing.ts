/**
 * Per-replica sizes: requests and limits from the bentofile `resources:` section (defaults sized to
 * the models when absent), GPU scheduling for CUDA bentos, the runtime's worker layout for the CPUs
 * granted, and a startup budget sized to model load and warm-up.
 */
import { UsageError } from '../core/errors.js';
import type { ServiceFacts } from './service-facts.js';

export interface Sizing {
  requests: Record<string, string>;
  limits: Record<string, string>;
  gpus: number;
  nodeSelector?: Record<string, string>;
  tolerations?: { key: string; operator: 'Exists'; effect: 'NoSchedule' }[];
  workers: number;
  threads: number;
  /** Seconds the startup probe allows before the kubelet restarts the container. */
  startupSeconds: number;
}

export const GPU_RESOURCE = 'nvidia.com/gpu';
/** Set by NVIDIA GPU Feature Discovery (the GPU operator installs it) on every node with a GPU. */
const GPU_PRESENT_LABEL = 'nvidia.com/gpu.present';
const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';

const MI = 1024 * 1024;
/** Node's heap, the HTTP server and ONNX Runtime's arenas before any model. */
const BASE_MEMORY = 512 * MI;
/** A model's weights live in the file cache while loading and in ORT's arena after: about twice. */
const MEMORY_PER_MODEL_BYTE = 2;
/** Throughput assumed for reading and initializing weights, low enough for network-backed disks. */
const LOAD_BYTES_PER_SECOND = 25 * 1000 * 1000;
const START_BASE_SECONDS = 30;
/** CUDA context creation and cuDNN/cuBLAS initialization on first use. */
const CUDA_INIT_SECONDS = 60;

/** Cores of a cpu quantity: 2, "0.5", "500m". */
export function coresOf(cpu: string | number): number {
  if (typeof cpu === 'number') return cpu;
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
}

function defaultMemory(modelBytes: number): string {
  const bytes = BASE_MEMORY + MEMORY_PER_MODEL_BYTE * modelBytes;
  // Whole 64Mi steps keep the value readable and stable under small model changes.
  return `${Math.ceil(bytes / (64 * MI)) * 64}Mi`;
}

export function sizingOf(facts: ServiceFacts): Sizing {
  const r = facts.resources;
  const gpus = r.gpu ?? (facts.cuda ? 1 : 0);
  if (gpus > 0 && !facts.cuda)
    throw new UsageError(
      `resources.gpu is ${gpus} but the bento has no docker.cuda_version: set cuda_version in bentofile.yaml so the image has the CUDA provider, or drop resources.gpu`,
    );
  const cpu = r.cpu ?? 1;
  const memory = r.memory ?? defaultMemory(facts.modelBytes);
  const requests: Record<string, string> = { cpu: String(cpu), memory };
  // No CPU limit: CFS throttling adds tail latency to a batching server; the request reserves the cores.
  const limits: Record<string, string> = { memory };
  if (gpus > 0) {
    // Extended resources are never overcommitted: Kubernetes needs the limit, and the request equal to it.
    requests[GPU_RESOURCE] = String(gpus);
    limits[GPU_RESOURCE] = String(gpus);
  }
  // The runtime sizes itself from os.availableParallelism(), which sees the node's cores, not the
  // pod's request: tell it how many cores it has.
  const cores = Math.max(1, Math.floor(coresOf(cpu)));
  const workers = Math.max(1, Math.floor(cores / 2));
  const threads = Math.max(1, Math.floor(cores / workers));
  const startupSeconds =
    START_BASE_SECONDS +
    2 * Math.ceil(facts.modelBytes / LOAD_BYTES_PER_SECOND) +
    (gpus > 0 ? CUDA_INIT_SECONDS : 0);
  return {
    requests,
    limits,
    gpus,
    ...(gpus > 0
      ? {
          nodeSelector: r.gpu_type ? { [GPU_PRODUCT_LABEL]: r.gpu_type } : { [GPU_PRESENT_LABEL]: 'true' },
          // GPU node pools are commonly tainted so that only pods asking for GPUs land there.
          tolerations: [{ key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' }],
        }
      : {}),
    workers,
    threads,
    startupSeconds,
  };
}
