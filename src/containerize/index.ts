/** Dockerfile generation and image builds for bentos. */
export { type BentoForImage, dockerfileOf, renderBentoDockerfile, STORED_DOCKERFILE } from './bento-files.js';
export { type ContainerizeOptions, type ContainerizeResult, containerize } from './containerize.js';
export {
  chooseBase,
  NODE_IMAGE,
  resolveCudaVersion,
  SUPPORTED_CUDA_VERSIONS,
  UBUNTU_IMAGE,
} from './distro.js';
export { connectEngine, dockerHostOf } from './engine.js';
export { type DockerfileBento, type RenderOptions, renderDockerfile } from './render.js';
