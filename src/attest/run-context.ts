/**
 * Where a build ran, for provenance: the GitHub workflow (builder id, workflow parameters, run URL)
 * when run in Actions, else this machine as bentoci's local builder; and the source commit.
 */
import { randomUUID } from 'node:crypto';
import { provenanceOf } from '../containerize/provenance.js';
import { BENTOCI_VERSION } from '../version.js';
import { LOCAL_BUILDER_ID, type ResourceDescriptor } from './formats.js';

export interface RunContext {
  builderId: string;
  builderVersion: Record<string, string>;
  invocationId: string;
  /** The workflow as SLSA externalParameters (GitHub Actions only). */
  workflow?: { repository: string; ref: string; path: string };
  /** The source commit as a resolved dependency, when one is known. */
  source?: ResourceDescriptor;
}

/**
 * GITHUB_WORKFLOW_REF is `owner/repo/.github/workflows/file.yml@refs/heads/main`: the builder id is
 * its URL, as GitHub's own attestations and slsa-github-generator name the workflow that built.
 */
export async function runContext(
  created: string,
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunContext> {
  const env = options.env ?? process.env;
  const server = (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, '');
  const workflowRef = env['GITHUB_ACTIONS'] === 'true' ? env['GITHUB_WORKFLOW_REF'] : undefined;
  const repository = env['GITHUB_REPOSITORY'] ?? '';
  const { revision, source } = await provenanceOf(created, options);
  const sourceDependency: ResourceDescriptor | undefined =
    revision && source
      ? {
          uri: `git+${source}${env['GITHUB_REF'] ? `@${env['GITHUB_REF']}` : ''}`,
          digest: { gitCommit: revision },
        }
      : undefined;
  const builderVersion = { bentoci: BENTOCI_VERSION, node: process.versions.node };
  if (workflowRef && repository) {
    const at = workflowRef.lastIndexOf('@');
    const path = (at > 0 ? workflowRef.slice(0, at) : workflowRef).slice(repository.length + 1);
    const runId = env['GITHUB_RUN_ID'] ?? '';
    return {
      builderId: `${server}/${workflowRef}`,
      builderVersion,
      invocationId: `${server}/${repository}/actions/runs/${runId}/attempts/${env['GITHUB_RUN_ATTEMPT'] ?? '1'}`,
      workflow: { repository: `${server}/${repository}`, ref: env['GITHUB_REF'] ?? '', path },
      ...(sourceDependency ? { source: sourceDependency } : {}),
    };
  }
  return {
    builderId: LOCAL_BUILDER_ID,
    builderVersion,
    invocationId: `urn:uuid:${randomUUID()}`,
    ...(sourceDependency ? { source: sourceDependency } : {}),
  };
}
