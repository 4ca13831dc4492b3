import type { Command } from 'commander';
import { bentociHome } from '../core/home.js';
import { AUTOSCALE, KINDS } from '../kubernetes/options.js';
import { DEFAULT_PROMETHEUS, manifests } from '../operations/manifests.js';
import { parsePositiveInt } from './options.js';
import { info, printJson } from './output.js';
import { action } from './program.js';

/** `bentoci manifests`: a kustomize directory that runs a bento on Kubernetes, KServe or Knative. */
export function registerManifestsCommand(program: Command): void {
  program
    .command('manifests')
    .description(
      'write Kubernetes manifests (Deployment, KServe or Knative) for a bento or its image, ready for kustomize',
    )
    .argument('<target>', 'a bento tag in the store (with --image) or an image reference')
    .option('--image <ref>', "for a bento target: the bento's pushed image, by digest or a tag to resolve")
    .option('--bento <tag>', 'for an image target: the bento whose resources and settings to use')
    .option('-o, --out <dir>', 'directory to write', 'manifests')
    .option('--kind <kind>', `what runs the image: ${KINDS.join(', ')}`, 'deployment')
    .option('--name <name>', 'Kubernetes name (default: from the bento or image)')
    .option('--namespace <ns>', 'namespace of every object (also set in kustomization.yaml)')
    .option('--replicas <n>', 'replicas at least (the autoscaler minimum)', parsePositiveInt('--replicas'), 2)
    .option(
      '--max-replicas <n>',
      'replicas at most (default 4 x --replicas)',
      parsePositiveInt('--max-replicas'),
    )
    .option(
      '--autoscale <metric>',
      `${AUTOSCALE.join(' or ')}: CPU utilization, or the runtime's queue depth via the Prometheus adapter`,
      'cpu',
    )
    .option(
      '--model-uri <oci-url>',
      'kserve: serve a model pushed as a model image from oci://... (modelcar)',
    )
    .option(
      '--rollouts',
      'also write rollouts/argo and rollouts/flagger: kustomize directories for the same workload',
    )
    .option('--judge', 'with --rollouts: analyses ask the canary judge server; writes judge/ to run it')
    .option('--judge-image <ref>', 'image of the judge server (default: node with npx bentoci)')
    .option('--thresholds <file>', 'the canary thresholds the rollout analysis applies (docs/canary.md)')
    .option('--prometheus <url>', 'Prometheus the analyses query', DEFAULT_PROMETHEUS)
    .option('--insecure', 'plain HTTP to the registry when resolving a tag')
    .option('--ca-file <pem>', 'trust this CA for the registry')
    .option('--json', 'print what was written as JSON')
    .action(
      action(async (target: string, flags: { json?: boolean } & Record<string, unknown>) => {
        const { json, ...options } = flags;
        const written = await manifests({ ...options, target }, { home: bentociHome() });
        if (json) printJson(written);
        else {
          info(
            `wrote ${written.files.length} files for ${written.name} (${written.image}) to ${written.dir}`,
          );
          process.stdout.write(`${written.dir}\n`);
        }
      }),
    );
}
