/**
 * Which base images a bento's `docker` options map to. ONNX Runtime's npm package decides most of
 * this: it ships prebuilt glibc binaries for linux x64/arm64 only, and its CUDA execution provider
 * exists for CUDA 12 on linux/x64 (fetched from NuGet by its install script, not in the npm tarball).
 */
import { UsageError } from '../core/errors.js';
import type { DockerOptions } from '../shared/schemas.js';

/**
 * The Node image for the deps stage and, on debian, the final stage. Node 24 is the LTS line with the
 * longest support left (to April 2028; Node 20 ended April 2026 and 22 ends April 2027), and bentoci
 * must run on it anyway. trixie is Debian's current stable release (bookworm is past its regular
 * security support). A major-version tag, not a digest, so rebuilds pick up security patches; pin a
 * digest with docker.base_image or `--build-arg NODE_IMAGE=...` when builds must be reproducible.
 */
export const NODE_IMAGE = 'node:24-trixie-slim';
export const UBUNTU_IMAGE = 'ubuntu:24.04';

/**
 * CUDA 12 releases with an NVIDIA runtime image carrying cuDNN 9 (ORT's CUDA 12 provider links
 * cuDNN 9). NVIDIA publishes no Debian images, so every CUDA base is Ubuntu, as in BentoML.
 */
const CUDA_IMAGES: Record<string, string> = {
  '12.3.2': '12.3.2-cudnn9-runtime-ubuntu22.04',
  '12.4.1': '12.4.1-cudnn-runtime-ubuntu22.04',
  '12.5.1': '12.5.1-cudnn-runtime-ubuntu22.04',
  '12.6.3': '12.6.3-cudnn-runtime-ubuntu24.04',
  '12.8.1': '12.8.1-cudnn-runtime-ubuntu24.04',
  '12.9.1': '12.9.1-cudnn-runtime-ubuntu24.04',
};

export const SUPPORTED_CUDA_VERSIONS = Object.keys(CUDA_IMAGES);

/** "12.4" -> "12.4.1", "12" -> the newest 12.x; a full release must be one of the table's. */
export function resolveCudaVersion(requested: string): string {
  const text = requested.trim();
  const known = SUPPORTED_CUDA_VERSIONS;
  const match =
    known.find((v) => v === text) ??
    known
      .filter((v) => v.startsWith(`${text}.`))
      .sort(compareVersions)
      .at(-1);
  if (!/^\d+(\.\d+){0,2}$/.test(text) || !match) {
    throw new UsageError(
      `invalid docker.cuda_version "${requested}": onnxruntime-node's CUDA provider needs CUDA 12 with cuDNN 9; use one of ${known.map((v) => v.split('.').slice(0, 2).join('.')).join(', ')} (or set docker.base_image)`,
    );
  }
  return match;
}

export function cudaImage(version: string): string {
  return `nvidia/cuda:${CUDA_IMAGES[resolveCudaVersion(version)]}`;
}

export interface BaseChoice {
  /** The final stage's FROM. */
  image: string;
  /** Whether Node must be copied into it from the Node image (everything but the Node image itself). */
  copyNode: boolean;
  packageManager: 'apt';
  cudaVersion?: string;
}

/**
 * Picks the final stage's base. Alpine is refused: onnxruntime-node's binaries are linked against
 * glibc and fail to load on musl; gcompat covers only part of glibc's ABI (ORT needs libstdc++ and
 * glibc-versioned symbols), so an image that builds but crashes on the first request is the likely
 * result, and a build-time error is better than that.
 */
export function chooseBase(docker: DockerOptions): BaseChoice {
  if (docker.distro === 'alpine') {
    throw new UsageError(
      'docker.distro "alpine" is not supported: onnxruntime-node ships glibc binaries only and cannot load on musl; use distro debian (default) or ubuntu, or a glibc base_image',
    );
  }
  const cudaVersion = docker.cuda_version ? resolveCudaVersion(docker.cuda_version) : undefined;
  if (docker.base_image) {
    return {
      image: docker.base_image,
      copyNode: true,
      packageManager: 'apt',
      ...(cudaVersion ? { cudaVersion } : {}),
    };
  }
  if (cudaVersion)
    return { image: cudaImage(cudaVersion), copyNode: true, packageManager: 'apt', cudaVersion };
  if (docker.distro === 'ubuntu') return { image: UBUNTU_IMAGE, copyNode: true, packageManager: 'apt' };
  return { image: NODE_IMAGE, copyNode: false, packageManager: 'apt' };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
