import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { connectEngine } from '../containerize/engine.js';
import { openBentoStore } from '../core/bento-store.js';
import { bentociHome } from '../core/home.js';
import { formatTag } from '../core/tag.js';
import {
  bentoDockerfile,
  buildBentoImage,
  checkBento,
  planContainerize,
} from '../operations/containerize.js';
import { collectLabel, collectList, parseKeyValue } from './options.js';
import { info, printJson } from './output.js';
import { action } from './program.js';
import { type GateFlags, withVerifyGate } from './verify-gate.js';

/** `bentoci containerize TAG`: a bento from the store -> a Docker image (or just its Dockerfile); src/operations/containerize.ts does the work. */
export function registerContainerizeCommands(program: Command): void {
  const command = program
    .command('containerize')
    .description(
      'build a Docker image of a bento through the engine at DOCKER_HOST (or print its Dockerfile)',
    )
    .argument('<tag>', 'bento tag: name, name:version or a unique version prefix')
    .option(
      '-t, --tag <image>',
      'image name[:tag] (repeatable; default <bento name>:<bento version>)',
      collectList,
      [],
    )
    .option(
      '--build-arg <key=value>',
      'build argument (repeatable), e.g. NODE_IMAGE=node:24-trixie-slim@sha256:...',
      collectBuildArg,
      {},
    )
    .option('--target <stage>', 'build only up to this stage (deps or bento)')
    .option('--platform <os/arch>', 'target platform, e.g. linux/amd64')
    .option('--label <key=value>', 'extra image label (repeatable)', collectLabel, {})
    .option('--cache-from <image>', 'image to use as a layer cache source (repeatable)', collectList, [])
    .option('--no-cache', 'do not use the layer cache')
    .option('--dockerfile-only', 'print the Dockerfile (or write it with --output) instead of building')
    .option('-o, --output <file>', 'with --dockerfile-only: write the Dockerfile to this file')
    .option('--npm-registry <url>', 'npm registry for the deps stage (default: `npm config get registry`)')
    .option('--ca-file <path>', 'CA bundle for the deps stage npm (default: $NODE_EXTRA_CA_CERTS)')
    .option('--network <mode>', 'network of the build steps', 'host')
    .option('--json', 'print the result as JSON');
  withVerifyGate(command, 'the bento').action(action(run));
}

async function run(text: string, opts: ContainerizeFlags): Promise<void> {
  const plan = await planContainerize({ ...opts, noCache: opts.cache === false });
  const store = openBentoStore(bentociHome());
  const bento = await store.get(text);

  // Fail on a missing engine before spending time on hashes and signatures.
  if (!plan.options.dockerfileOnly) await connectEngine();
  // --dockerfile-only hands out what the image would be built from: the same checks come first.
  const outcome = await checkBento(plan, store, bento);
  if (outcome.status === 'verified') info(`signature verified (${outcome.by})`);
  if (plan.options.dockerfileOnly) {
    const dockerfile = await bentoDockerfile(bento);
    if (opts.output) {
      await writeFile(opts.output, dockerfile.text);
      info(`wrote the ${dockerfile.source} Dockerfile of bento ${formatTag(bento.tag)} to ${opts.output}`);
    }
    if (opts.json)
      printJson({
        bento: formatTag(bento.tag),
        source: dockerfile.source,
        ...(opts.output ? { path: opts.output } : {}),
        dockerfile: dockerfile.text,
      });
    else if (!opts.output) process.stdout.write(dockerfile.text);
    return;
  }

  const result = await buildBentoImage(plan, bento, info);
  if (opts.json) {
    printJson(result);
    return;
  }
  info(`built image ${result.id} from bento ${result.bento}, tagged ${result.tags.join(', ')}`);
  process.stdout.write(`${result.id}\n`);
}

function collectBuildArg(value: string, previous: Record<string, string> = {}): Record<string, string> {
  return { ...previous, ...parseKeyValue(value, '--build-arg') };
}

interface ContainerizeFlags extends GateFlags {
  tag: string[];
  buildArg: Record<string, string>;
  target?: string;
  platform?: string;
  label: Record<string, string>;
  cacheFrom: string[];
  cache?: boolean;
  dockerfileOnly?: boolean;
  output?: string;
  npmRegistry?: string;
  caFile?: string;
  network: string;
  json?: boolean;
}
