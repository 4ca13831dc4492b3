/**
 * Registry commands: `push`/`pull` (bentos), `models push`/`models pull`, `push-image`. Each reads
 * its flags and prints the result; the work is src/operations/push.ts and pull.ts, which the actions
 * run too.
 */
import * as core from '@actions/core';
import type { Command } from 'commander';
import { openBentoStore } from '../core/bento-store.js';
import { UsageError } from '../core/errors.js';
import { bentociHome } from '../core/home.js';
import { openModelStore } from '../core/model-store.js';
import { pull } from '../operations/pull.js';
import { type PushSubject, push } from '../operations/push.js';
import type { RegistryContext } from '../operations/transfer.js';
import { RELEASE_TAG_KINDS } from '../registry/release-tags.js';
import { attestationsJson, withAttestFlags } from './attest.js';
import { collectList, parseKeyValue, parsePositiveInt } from './options.js';
import { info, printJson } from './output.js';
import { action } from './program.js';
import { withVerifyGate } from './verify-gate.js';

type Noun = 'bento' | 'model';

function withConnectionOptions(command: Command): Command {
  return command
    .option(
      '--insecure',
      'plain HTTP (a lab or loopback registry); or list the host under registries.insecure in $BENTOCI_HOME/config.yaml',
    )
    .option('--ca-file <pem>', 'trust this CA for the registry (TLS with a private CA)')
    .option(
      '--username <name>',
      'registry user (default: BENTOCI_REGISTRY_USER, docker login, GITHUB_TOKEN for ghcr.io)',
    )
    .option('--password-stdin', 'read the password or token from stdin')
    .option('--password <secret>', 'password or token (visible to other processes: prefer --password-stdin)')
    .option('--parallel <n>', 'blobs transferred at once (default 4)', parsePositiveInt('--parallel'))
    .option('--timeout <seconds>', 'network timeout per request (default 60)', parsePositiveInt('--timeout'))
    .option('--json', 'print the result as JSON');
}

function withPushOptions(command: Command): Command {
  return command
    .option('--release <semver>', 'also tag the release, and point its moving tags (1.4, 1, latest) at it')
    .option(
      '--release-tags <list>',
      `moving tags of --release: comma list of ${RELEASE_TAG_KINDS.join(', ')}, or none`,
      'minor,major,latest',
    )
    .option('--force', 'move a tag that holds a different artifact');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Hides secrets in GitHub Actions logs (`::add-mask::`); elsewhere nothing prints them anyway. */
function maskInActions(): ((secret: string) => void) | undefined {
  return process.env['GITHUB_ACTIONS'] === 'true' ? (secret) => core.setSecret(secret) : undefined;
}

/**
 * The operation's values from the flags: commander's keys are the option keys; the CLI's own words
 * (`--password-stdin`, `--json`) are read here.
 */
async function optionValues(raw: unknown): Promise<Record<string, unknown>> {
  const { passwordStdin, json: _json, ...values } = raw as Record<string, unknown>;
  if (!passwordStdin) return values;
  if (values['password'] !== undefined)
    throw new UsageError('--password and --password-stdin exclude each other');
  const password = await readStdin();
  if (!password) throw new UsageError('--password-stdin read an empty password');
  return { ...values, password };
}

function cliContext(): RegistryContext {
  const mask = maskInActions();
  return { home: bentociHome(), log: info, ...(mask ? { mask } : {}) };
}

const wantsJson = (raw: unknown) => (raw as { json?: boolean }).json === true;

/** `--as-image` and its companions, on `models push`. */
function withModelImageOptions(command: Command): Command {
  return command
    .option(
      '--as-image',
      'push a runnable OCI image with the files under /models (KServe modelcar, Kubernetes image volumes) instead of an artifact',
    )
    .option(
      '--base <oci-url>',
      'with --as-image: an image to put under the model (e.g. busybox: KServe modelcar runs sh, ln and sleep); none: files only',
    )
    .option(
      '--platform <os/arch>',
      "with --as-image: the image platform (default linux/amd64, or the base's)",
    );
}

function subjectOf(noun: Noun, tag: string): PushSubject {
  const home = bentociHome();
  return noun === 'bento'
    ? { kind: 'bento', store: openBentoStore(home), tag }
    : { kind: 'model', store: openModelStore(home), tag };
}

function registerPush(parent: Command, name: string, noun: Noun): void {
  const asImage = noun === 'model';
  const command = parent
    .command(name)
    .description(
      `push a ${noun} to an OCI registry as an artifact${asImage ? ' (with --as-image: as a runnable image)' : ''}`,
    )
    .argument('<tag>', `${noun} tag: name, name:version or a unique version prefix`)
    .requiredOption('--to <oci-url>', 'oci://host[:port]/repository[:tag] (the tag defaults to the version)');
  if (asImage) withModelImageOptions(command);
  if (noun === 'bento') withAttestFlags(command);
  withVerifyGate(withPushOptions(withConnectionOptions(command)), `the ${noun}`).action(
    action(async (tag: string, raw: unknown) => {
      const outcome = await push(subjectOf(noun, tag), await optionValues(raw), cliContext());
      const result = outcome.modelImage ?? outcome.artifact;
      if (!result) return;
      if (wantsJson(raw))
        printJson(
          outcome.attestations.length > 0 ? { ...result, ...attestationsJson(outcome.attestations) } : result,
        );
      else process.stdout.write(`${result.reference}@${result.digest}\n`);
    }),
  );
}

function registerPull(parent: Command, name: string, noun: Noun): void {
  const command = parent
    .command(name)
    .description(`pull a ${noun} from an OCI registry into the store (verified, atomic)`)
    .argument('[tag]', `${noun} tag name:version; its version is the registry tag unless --from names one`)
    .requiredOption('--from <oci-url>', 'oci://host[:port]/repository[:tag|@digest]')
    .option('--force', 'replace a stored version whose content differs');
  withVerifyGate(withConnectionOptions(command), `the pulled ${noun}`).action(
    action(async (tag: string | undefined, raw: unknown) => {
      const home = bentociHome();
      const subject =
        noun === 'bento'
          ? ({ kind: 'bento', store: openBentoStore(home), tag } as const)
          : ({ kind: 'model', store: openModelStore(home), tag } as const);
      const {
        signatures: _signatures,
        dir: _dir,
        verification: _verification,
        ...result
      } = await pull(subject, await optionValues(raw), cliContext());
      if (wantsJson(raw)) printJson(result);
      else process.stdout.write(`${result.tag}\n`);
    }),
  );
}

/** `push`, `pull` (bentos) and `push-image`. */
export function registerRegistryCommands(program: Command): void {
  registerPush(program, 'push', 'bento');
  registerPull(program, 'pull', 'bento');

  const pushImageCommand = program
    .command('push-image')
    .description('push an image from the Docker engine (built by containerize) to an OCI registry')
    .argument('<image>', 'local image: name[:tag] or ID')
    .requiredOption(
      '--to <oci-url>',
      'oci://host[:port]/repository[:tag] (the tag defaults to the image tag)',
    )
    .option(
      '-t, --tag <tag>',
      'also put the manifest under this tag (repeatable; blobs go up once)',
      collectList,
      [],
    )
    .option(
      '--annotation <key=value>',
      "manifest annotation (repeatable; default: the image's org.opencontainers.image.* labels)",
      (value: string, previous: Record<string, string> = {}) => ({
        ...previous,
        ...parseKeyValue(value, '--annotation'),
      }),
      {},
    );
  withAttestFlags(withPushOptions(withConnectionOptions(pushImageCommand))).action(
    action(async (image: string, raw: unknown) => {
      const outcome = await push({ kind: 'image', image }, await optionValues(raw), cliContext());
      const result = outcome.image;
      if (!result) return;
      if (wantsJson(raw))
        printJson(
          outcome.attestations.length > 0 ? { ...result, ...attestationsJson(outcome.attestations) } : result,
        );
      else process.stdout.write(`${result.reference}@${result.digest}\n`);
    }),
  );
}

/** `models push` and `models pull`, added to the `models` command group. */
export function registerModelRegistryCommands(models: Command): void {
  registerPush(models, 'push', 'model');
  registerPull(models, 'pull', 'model');
}
