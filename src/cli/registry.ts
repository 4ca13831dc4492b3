/**
 * Registry commands: `push`/`pull` (bentos), `models push`/`models pull`, `push-image`. Everything
 * goes through src/registry (artifacts and images) and src/oci (the client).
 */
import * as core from '@actions/core';
import type { Command } from 'commander';
import { z } from 'zod';
import { attestBento, attestImage, readAttestableImage } from '../attest/attest.js';
import { parseSourceDateEpoch } from '../build/reproducible.js';
import { connectEngine } from '../containerize/engine.js';
import { openBentoStore } from '../core/bento-store.js';
import { UsageError } from '../core/errors.js';
import { bentociHome } from '../core/home.js';
import { openModelStore } from '../core/model-store.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import { parseOciUrl } from '../oci/reference.js';
import { type ArtifactKind, bentoArtifact, modelArtifact } from '../registry/artifact-kinds.js';
import { pullEntry } from '../registry/artifact-pull.js';
import { pushEntry } from '../registry/artifact-push.js';
import { pushImage } from '../registry/image-push.js';
import { type ModelImageOptions, pushModelImage } from '../registry/model-image.js';
import { parsePlatform } from '../registry/model-image-base.js';
import { parseReleaseTagKinds, RELEASE_TAG_KINDS } from '../registry/release-tags.js';
import type { TransferOptions } from '../registry/transfer.js';
import type { BentoInfo } from '../shared/schemas.js';
import { attachEntrySignatures, pullEntrySignatures } from '../sign/attach.js';
import { openSignatureRegistry } from '../sign/oci-registry.js';
import type { VerifyTarget } from '../sign/policy.js';
import { attestationsJson, attestPlan, withAttestFlags } from './attest.js';
import { collectList, flagOf, parseKeyValue, parsePositiveInt } from './options.js';
import { info, printJson } from './output.js';
import { action } from './program.js';
import { gateFlagsShape, verifyGate, withVerifyGate } from './verify-gate.js';

const flagsSchema = z.object({
  to: z.string().optional(),
  from: z.string().optional(),
  insecure: z.boolean().optional(),
  caFile: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  passwordStdin: z.boolean().optional(),
  parallel: z.number().int().min(1).max(64, 'at most 64').optional(),
  timeout: z.number().int().min(1).optional(),
  force: z.boolean().optional(),
  json: z.boolean().optional(),
  release: z.string().optional(),
  releaseTags: z.string().optional(),
  // `push-image`: more tags, and manifest annotations.
  tag: z.array(z.string()).optional(),
  annotation: z.record(z.string(), z.string()).optional(),
  // `models push --as-image` (see model-image.ts).
  asImage: z.boolean().optional(),
  base: z.string().min(1).optional(),
  platform: z.string().min(1).optional(),
  // The verify gate of this command (see verify-gate.ts).
  ...gateFlagsShape,
});
type Flags = z.infer<typeof flagsSchema>;

function parseFlags(raw: unknown): Flags {
  const parsed = flagsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = flagOf(String(issue?.path[0] ?? ''));
    throw new UsageError(`invalid ${flag}: ${issue?.message}`);
  }
  return parsed.data;
}

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

async function transferOptions(flags: Flags): Promise<TransferOptions> {
  let password = flags.password;
  if (flags.passwordStdin) {
    if (password !== undefined) throw new UsageError('--password and --password-stdin exclude each other');
    password = await readStdin();
    if (!password) throw new UsageError('--password-stdin read an empty password');
  }
  const mask = maskInActions();
  if (password) mask?.(password);
  return {
    home: bentociHome(),
    log: info,
    ...(flags.insecure ? { insecure: true } : {}),
    ...(flags.caFile ? { caFile: flags.caFile } : {}),
    ...(flags.username ? { username: flags.username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(flags.parallel ? { parallel: flags.parallel } : {}),
    ...(flags.timeout ? { timeoutMs: flags.timeout * 1000 } : {}),
    ...(mask ? { mask } : {}),
  };
}

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

/** What `--as-image`, `--base` and `--platform` ask for, checked before anything is read or sent; undefined: the artifact. */
function modelImageRequest(
  flags: Flags,
): Pick<ModelImageOptions, 'base' | 'platform' | 'sourceDateEpoch'> | undefined {
  if (!flags.asImage) {
    if (flags.base || flags.platform)
      throw new UsageError(
        `${flags.base ? '--base' : '--platform'} shapes the model image: add --as-image, or drop it to push the artifact`,
      );
    return undefined;
  }
  const sourceDateEpoch = parseSourceDateEpoch(process.env['SOURCE_DATE_EPOCH']);
  return {
    ...(flags.base && flags.base !== 'none' ? { base: parseOciUrl(flags.base, '--base') } : {}),
    ...(flags.platform ? { platform: parsePlatform(flags.platform) } : {}),
    ...(sourceDateEpoch ? { sourceDateEpoch } : {}),
  };
}

function registerPush<I extends EntryInfo>(
  parent: Command,
  name: string,
  kind: ArtifactKind<I>,
  store: () => EntryStore<I>,
  asImage = false,
): void {
  const command = parent
    .command(name)
    .description(
      `push a ${kind.noun} to an OCI registry as an artifact${asImage ? ' (with --as-image: as a runnable image)' : ''}`,
    )
    .argument('<tag>', `${kind.noun} tag: name, name:version or a unique version prefix`)
    .requiredOption('--to <oci-url>', 'oci://host[:port]/repository[:tag] (the tag defaults to the version)');
  if (asImage) withModelImageOptions(command);
  if (kind.noun === 'bento') withAttestFlags(command);
  withVerifyGate(withPushOptions(withConnectionOptions(command)), `the ${kind.noun}`).action(
    action(async (tag: string, raw: unknown) => {
      const startedOn = new Date();
      const flags = parseFlags(raw);
      const attest = kind.noun === 'bento' ? await attestPlan(raw) : undefined;
      const target = parseOciUrl(flags.to ?? '', '--to');
      const gate = await verifyGate(flags);
      const imageRequest = asImage ? modelImageRequest(flags) : undefined;
      const options = await transferOptions(flags);
      await gate(async () => entryTarget(store(), await store().get(tag)));
      if (imageRequest) {
        const image = await pushModelImage(openModelStore(bentociHome()), tag, target, {
          ...options,
          ...imageRequest,
          force: flags.force ?? false,
          ...(flags.release ? { release: flags.release } : {}),
          ...(flags.releaseTags ? { releaseTags: parseReleaseTagKinds(flags.releaseTags) } : {}),
        });
        if (flags.json) printJson(image);
        else process.stdout.write(`${image.reference}@${image.digest}\n`);
        return;
      }
      const result = await pushEntry(kind, store(), tag, target, {
        ...options,
        force: flags.force ?? false,
        ...(flags.release ? { release: flags.release } : {}),
        ...(flags.releaseTags ? { releaseTags: parseReleaseTagKinds(flags.releaseTags) } : {}),
      });
      // Signatures in the entry's .signatures/ travel with it, as referrers of the pushed manifest.
      const entry = await store().get(result.tag);
      const registry = await openSignatureRegistry(target, flags, { ...options, push: true });
      const attached = await attachEntrySignatures(registry, target.repository, result.digest, entry.dir);
      if (attached?.manifests.length) info(`attached ${attached.manifests.length} signature manifest(s)`);
      const attestations = attest
        ? await attestBento(registry, target, result.digest, entry.info as unknown as BentoInfo, {
            ...attest,
            startedOn,
            log: info,
          })
        : [];
      if (flags.json) printJson(attest ? { ...result, ...attestationsJson(attestations) } : result);
      else process.stdout.write(`${result.reference}@${result.digest}\n`);
    }),
  );
}

function registerPull<I extends EntryInfo>(
  parent: Command,
  name: string,
  kind: ArtifactKind<I>,
  store: () => EntryStore<I>,
): void {
  const command = parent
    .command(name)
    .description(`pull a ${kind.noun} from an OCI registry into the store (verified, atomic)`)
    .argument(
      '[tag]',
      `${kind.noun} tag name:version; its version is the registry tag unless --from names one`,
    )
    .requiredOption('--from <oci-url>', 'oci://host[:port]/repository[:tag|@digest]')
    .option('--force', 'replace a stored version whose content differs');
  withVerifyGate(withConnectionOptions(command), `the pulled ${kind.noun}`).action(
    action(async (tag: string | undefined, raw: unknown) => {
      const flags = parseFlags(raw);
      const source = parseOciUrl(flags.from ?? '', '--from');
      const gate = await verifyGate(flags);
      const options = await transferOptions(flags);
      const result = await pullEntry(kind, store(), tag, source, { ...options, force: flags.force ?? false });
      const entry = await store().get(result.tag);
      const registry = await openSignatureRegistry(source, flags, options);
      const pulled = await pullEntrySignatures(registry, source.repository, result.digest, entry.dir);
      if (pulled > 0) info(`pulled ${pulled} signature(s) into ${entry.dir}`);
      try {
        await gate(() => entryTarget(store(), entry));
      } catch (err) {
        // What failed the gate does not stay in the store (unless it was there before the pull).
        if (!result.unchanged) await store().delete(result.tag);
        throw err;
      }
      if (flags.json) printJson(result);
      else process.stdout.write(`${result.tag}\n`);
    }),
  );
}

function entryTarget<I extends EntryInfo>(store: EntryStore<I>, entry: StoredEntry<I>): VerifyTarget {
  return {
    type: 'entry',
    store: store as unknown as EntryStore<EntryInfo>,
    entry: entry as unknown as StoredEntry<EntryInfo>,
  };
}

/** `push`, `pull` (bentos) and `push-image`. */
export function registerRegistryCommands(program: Command): void {
  const bentos = () => openBentoStore(bentociHome());
  registerPush(program, 'push', bentoArtifact, bentos);
  registerPull(program, 'pull', bentoArtifact, bentos);

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
      const startedOn = new Date();
      const flags = parseFlags(raw);
      const target = parseOciUrl(flags.to ?? '', '--to');
      const attest = await attestPlan(raw);
      // What --attest will describe is read first: an image it cannot describe fails before the push.
      const docker = attest ? await connectEngine() : undefined;
      const contents = docker ? await readAttestableImage(docker, image) : undefined;
      const transfer = await transferOptions(flags);
      const result = await pushImage(image, target, {
        ...transfer,
        tags: flags.tag ?? [],
        annotations: flags.annotation ?? {},
        force: flags.force ?? false,
        ...(flags.release ? { release: flags.release } : {}),
        ...(flags.releaseTags ? { releaseTags: parseReleaseTagKinds(flags.releaseTags) } : {}),
      });
      const attestations = attest
        ? await openSignatureRegistry(target, flags, { ...transfer, push: true }).then(async (registry) =>
            attestImage(registry, target, result.digest, docker!, result.id, {
              ...attest,
              startedOn,
              log: info,
              ...(contents ? { contents } : {}),
            }).finally(() => registry.close()),
          )
        : [];
      if (flags.json) printJson(attest ? { ...result, ...attestationsJson(attestations) } : result);
      else process.stdout.write(`${result.reference}@${result.digest}\n`);
    }),
  );
}

/** `models push` and `models pull`, added to the `models` command group. */
export function registerModelRegistryCommands(models: Command): void {
  const store = () => openModelStore(bentociHome());
  registerPush(models, 'push', modelArtifact, store, true);
  registerPull(models, 'pull', modelArtifact, store);
}
