/**
 * The base images an image was built from, for provenance: each FROM of the Dockerfile the bento
 * stored (its ARG defaults expanded; an ARG overridden with --build-arg at containerize time is not
 * known here), resolved in the engine to the digest it was pulled by. The final stage's base must
 * also be the one the image sits on: its layers are the image's first layers, else it was re-pulled
 * or retagged since the build and its digest would be a claim about another image, so none is given.
 */
import type Dockerode from 'dockerode';
import { externalImageOf } from '../containerize/image-build.js';
import type { BaseImage } from './provenance.js';

interface EngineImage {
  id: string;
  repoDigests: string[];
  layers: string[];
}

async function inspect(docker: Dockerode, name: string): Promise<EngineImage | undefined> {
  try {
    const info = await docker.getImage(name).inspect();
    return { id: info.Id, repoDigests: info.RepoDigests ?? [], layers: info.RootFS?.Layers ?? [] };
  } catch {
    return undefined;
  }
}

/** The FROM images of a Dockerfile, in order, with the stage each starts. */
export function fromImages(dockerfile: string): { image: string; stage: string }[] {
  const found: { image: string; stage: string }[] = [];
  let index = 0;
  for (const line of dockerfile.split('\n')) {
    const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!from) continue;
    const image = externalImageOf(line.trim(), { dockerfile, buildArgs: {} });
    if (image) found.push({ image, stage: from[2] ?? String(index) });
    index++;
  }
  return found;
}

/** `node:24-trixie-slim` -> the digest in `node@sha256:...` among the engine's RepoDigests. */
function digestFor(name: string, repoDigests: string[]): string | undefined {
  const at = name.indexOf('@');
  if (at >= 0) return name.slice(at + 1);
  const colon = name.lastIndexOf(':');
  const repo = colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
  const candidates = [repo, `docker.io/${repo}`, `docker.io/library/${repo}`];
  const match = repoDigests.find((d) => candidates.includes(d.slice(0, d.indexOf('@'))));
  return match?.slice(match.indexOf('@') + 1);
}

export async function resolveBaseImages(
  docker: Dockerode,
  image: string,
  dockerfile: string,
): Promise<BaseImage[]> {
  const built = await inspect(docker, image);
  const froms = fromImages(dockerfile);
  const bases: BaseImage[] = [];
  for (const [i, { image: name, stage }] of froms.entries()) {
    const base = await inspect(docker, name);
    const digest = base ? digestFor(name, base.repoDigests) : undefined;
    const isFinal = i === froms.length - 1;
    const sitsOn =
      !isFinal ||
      (base !== undefined &&
        built !== undefined &&
        base.layers.length <= built.layers.length &&
        base.layers.every((layer, n) => built.layers[n] === layer));
    bases.push({
      name,
      stage,
      ...(digest && sitsOn ? { digest } : {}),
      ...(base && sitsOn ? { id: base.id } : {}),
    });
  }
  return bases;
}
