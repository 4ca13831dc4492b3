/**
 * What the manifests need to know about the service, from its bento (bento.yaml) or, for an image
 * given alone, nothing but defaults: the Kubernetes name, the bento version, CUDA or not, the
 * bentofile `resources:` section, the bytes of models to load and the largest batch.
 */
import { UsageError } from '../core/errors.js';
import type { BentoInfo, Resources } from '../shared/schemas.js';

export interface ServiceFacts {
  /** Kubernetes name: a DNS label. */
  name: string;
  /** Label value for app.kubernetes.io/version; absent for an image given alone. */
  version?: string;
  /** `name:version` of the bento, for annotations. */
  bento?: string;
  cuda: boolean;
  resources: Resources;
  /** Bytes of every model the service loads at start. */
  modelBytes: number;
  /** The largest max_batch_size of the APIs: the queue length one replica clears in one batch. */
  maxBatchSize: number;
}

/**
 * RFC 1035 labels: what Services, KServe and Knative require of a name (a Deployment would take a
 * leading digit; the Service beside it would not).
 */
export const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Bento and image names allow '.', '_' and a leading digit; Kubernetes names do not. */
export function kubernetesName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const lettered = /^[a-z]/.test(name) ? name : `bento-${name}`;
  return lettered.slice(0, 63).replace(/-+$/, '');
}

export function checkName(name: string, flag: string): string {
  if (!DNS_LABEL.test(name))
    throw new UsageError(
      `invalid ${flag} "${name}": a Kubernetes name is lower-case letters, digits and '-', at most 63, starting with a letter and ending with a letter or digit`,
    );
  return name;
}

export function factsOfBento(info: BentoInfo): ServiceFacts {
  const batches = info.service.apis.map((a) => (a.batching.enabled ? a.batching.max_batch_size : 1));
  return {
    name: kubernetesName(info.name),
    version: info.version,
    bento: `${info.name}:${info.version}`,
    cuda: info.docker.cuda_version !== undefined,
    resources: info.resources ?? {},
    modelBytes: info.models.reduce((sum, m) => sum + m.size, 0),
    maxBatchSize: Math.max(1, ...batches),
  };
}

/** An image without its bento: CPU, default sizes; `--name` or the repository's last component names it. */
export function factsOfImage(repository: string): ServiceFacts {
  return {
    name: kubernetesName(repository.split('/').at(-1) ?? repository),
    cuda: false,
    resources: {},
    modelBytes: 0,
    maxBatchSize: 1,
  };
}
