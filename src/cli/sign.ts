/**
 * `bentoci keygen`, `bentoci sign`, `bentoci verify`: models and bentos in the store are signed as
 * DSSE/in-toto envelopes beside the entry; registry references are signed in cosign's format.
 */
import type { Command } from 'commander';
import { openBentoStore } from '../core/bento-store.js';
import { BentoError, IntegrityError, UsageError } from '../core/errors.js';
import { bentociHome } from '../core/home.js';
import { openModelStore } from '../core/model-store.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { resolveIdentityToken } from '../sign/identity-token.js';
import { PUBLIC_FULCIO_URL, PUBLIC_REKOR_URL, signEntryKeyless } from '../sign/keyless.js';
import { verifyEntryKeyless } from '../sign/keyless-verify.js';
import {
  DEFAULT_PASSWORD_ENV,
  loadSigner,
  loadVerifier,
  passphraseFrom,
  writeKeyPair,
} from '../sign/keys.js';
import { openSignatureRegistry, type RegistryFlags } from '../sign/oci-registry.js';
import { signEntry } from '../sign/sign-entry.js';
import { signImage } from '../sign/sign-image.js';
import { signImageKeyless } from '../sign/sign-image-keyless.js';
import { formatImageRef, parseSignTarget } from '../sign/target.js';
import { verifyEntry } from '../sign/verify-entry.js';
import { verifyImage } from '../sign/verify-image.js';
import { verifyImageKeyless } from '../sign/verify-image-keyless.js';
import { collectLabel, flagOf } from './options.js';
import { info, printJson } from './output.js';
import { action } from './program.js';
import {
  identityPolicyOf,
  isKeyless,
  keylessTrustOf,
  type TrustFlags,
  withTrustFlags,
} from './verify-gate.js';

type Kind = 'model' | 'bento';

interface TargetFlags extends RegistryFlags {
  kind?: string;
  json?: boolean;
}

interface SignFlags extends TargetFlags {
  key?: string;
  keyless?: boolean;
  identityTokenEnv?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  /** commander's `--no-tlog`: true unless given. */
  tlog: boolean;
  passwordEnv?: string;
  annotation: Record<string, string>;
}

interface VerifyFlags extends TargetFlags, TrustFlags {}

const TARGET_HELP = 'name[:version] in the store, or oci://host/repo:tag, host:port/repo@sha256:...';

export function registerSignCommands(program: Command): void {
  program
    .command('keygen')
    .description('create an ECDSA P-256 key pair: PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub')
    .requiredOption('--out <prefix>', 'path prefix of the two files')
    .option(
      '--password-env <name>',
      `encrypt the key with the passphrase in this env var (default: ${DEFAULT_PASSWORD_ENV} when set)`,
    )
    .option('--force', 'overwrite existing files')
    .option('--json', 'print the paths and key id as JSON')
    .action(action(keygen));

  withTargetFlags(
    program
      .command('sign')
      .description(
        'sign a model or bento in the store (DSSE/in-toto) or an image in a registry (cosign format)',
      )
      .argument('<target>', TARGET_HELP)
      .option('--key <key>', 'private key: a PEM file or env://NAME')
      .option(
        '--keyless',
        'sign through Sigstore: a Fulcio certificate for an OIDC identity, logged in Rekor (images: as `cosign sign` does)',
      )
      .option(
        '--identity-token-env <name>',
        'keyless: env var holding the OIDC identity token (default on GitHub Actions: the job token, audience sigstore)',
      )
      .option('--fulcio-url <url>', `keyless: Fulcio instance (default ${PUBLIC_FULCIO_URL})`)
      .option('--rekor-url <url>', `keyless: Rekor instance (default ${PUBLIC_REKOR_URL})`)
      .option('--no-tlog', 'keyless: do not record the signature in Rekor')
      .option(
        '--password-env <name>',
        `env var holding the key's passphrase (default: ${DEFAULT_PASSWORD_ENV})`,
      )
      .option(
        '-a, --annotation <key=value>',
        'image signatures: extra claim in the payload (repeatable)',
        collectLabel,
        {},
      ),
  ).action(action(sign));

  // The bento store commands registered at the top level include an integrity-only `verify`; this one
  // does that too (without --pub) and checks signatures with --pub, so it takes the name over.
  const existing = program.commands.findIndex((c) => c.name() === 'verify');
  if (existing >= 0) (program.commands as Command[]).splice(existing, 1);
  withTargetFlags(
    withTrustFlags(
      program
        .command('verify')
        .description(
          'with --pub (key) or --certificate-identity/--certificate-oidc-issuer (keyless): check the signature of a model, bento or image; without: check stored bentos against their digests',
        )
        .argument('[target]', `${TARGET_HELP}; every bento when absent (integrity check only)`),
      'public key: a PEM file or env://NAME',
    ),
  ).action(action(verify));
}

function withTargetFlags(command: Command): Command {
  return command
    .option('--kind <kind>', 'model or bento, when a tag names both')
    .option('--insecure', 'images: plain HTTP to the registry')
    .option('--ca-file <pem>', 'images: extra CA certificates for the registry')
    .option('--json', 'print the result as JSON');
}

async function keygen(opts: {
  out: string;
  passwordEnv?: string;
  force?: boolean;
  json?: boolean;
}): Promise<void> {
  const passphrase = passphraseFrom(process.env, opts.passwordEnv);
  const written = await writeKeyPair(opts.out, {
    ...(passphrase ? { passphrase } : {}),
    force: opts.force ?? false,
  });
  if (opts.json) {
    printJson(written);
    return;
  }
  if (!written.encrypted) {
    info(
      `warning: ${written.keyPath} is not encrypted; set ${DEFAULT_PASSWORD_ENV} or pass --password-env to encrypt it`,
    );
  }
  info(
    `wrote ${written.keyPath} (private, keep it secret) and ${written.pubPath} (public); keyid ${written.keyid}`,
  );
}

async function sign(text: string, opts: SignFlags): Promise<void> {
  const target = parseSignTarget(text);
  if (opts.keyless) return signKeyless(target, opts);
  if (opts.key === undefined)
    throw new UsageError(
      'sign needs --key KEY (a private key) or --keyless (Sigstore, with an OIDC identity)',
    );
  for (const flag of ['identityTokenEnv', 'fulcioUrl', 'rekorUrl'] as const) {
    if (opts[flag] !== undefined)
      throw new UsageError(`${flagOf(flag)} is for keyless signing; add --keyless`);
  }
  const passphrase = passphraseFrom(process.env, opts.passwordEnv);
  const signer = await loadSigner(opts.key, passphrase ? { passphrase } : {});
  if (target.type === 'entry') {
    const { store, entry } = await findEntry(target.tag, opts.kind);
    const signed = await signEntry(store, entry, signer);
    const tag = formatTag(entry.tag);
    const files = signed.statement.subject.length;
    if (opts.json)
      printJson({ tag, kind: store.kind.noun, keyid: signed.keyid, path: signed.path, subjects: files });
    else
      info(
        `signed ${store.kind.noun} ${tag} (${files} files, keyid ${signed.keyid.slice(0, 12)}): ${signed.path}`,
      );
    return;
  }
  checkImageAnnotations(opts.annotation);
  const registry = await openSignatureRegistry(target.ref, opts, { push: true });
  const signed = await signImage(registry, target.ref, signer, { annotations: opts.annotation }).finally(() =>
    registry.close(),
  );
  const image = formatImageRef(target.ref);
  if (opts.json) {
    printJson({
      image,
      digest: signed.digest,
      signatureTag: signed.signatureTag,
      keyid: signer.keyid,
      kept: signed.kept,
    });
    return;
  }
  const kept = signed.kept ? `, keeping ${signed.kept} other signature(s)` : '';
  info(`signed ${image} (${signed.digest}) as ${target.ref.repository}:${signed.signatureTag}${kept}`);
}

async function signKeyless(target: ReturnType<typeof parseSignTarget>, opts: SignFlags): Promise<void> {
  if (opts.key !== undefined) throw new UsageError('pass --key or --keyless, not both');
  // A missing entry or a bad annotation fails before a token is fetched.
  const entry = target.type === 'entry' ? await findEntry(target.tag, opts.kind) : undefined;
  if (target.type === 'image') checkImageAnnotations(opts.annotation);
  const { token, claims, from } = await resolveIdentityToken(
    opts.identityTokenEnv !== undefined ? { envName: opts.identityTokenEnv } : {},
  );
  const keyless = {
    identityToken: token,
    tlog: opts.tlog,
    ...(opts.fulcioUrl !== undefined ? { fulcioURL: opts.fulcioUrl } : {}),
    ...(opts.rekorUrl !== undefined ? { rekorURL: opts.rekorUrl } : {}),
  };
  const subject = claims.email ?? claims.sub ?? '';
  const logged = (yes: boolean) => (yes ? ', logged in Rekor' : ', not logged (--no-tlog)');
  if (target.type === 'image') {
    const registry = await openSignatureRegistry(target.ref, opts, { push: true });
    const signed = await signImageKeyless(registry, target.ref, {
      ...keyless,
      annotations: opts.annotation,
    }).finally(() => registry.close());
    const image = formatImageRef(target.ref);
    if (opts.json) {
      printJson({
        image,
        digest: signed.digest,
        signatureTag: signed.signatureTag,
        issuer: claims.iss,
        subject,
        tlog: signed.logged,
        kept: signed.kept,
      });
      return;
    }
    info(
      `signed ${image} (${signed.digest}) keyless as ${subject} (issuer ${claims.iss}, token from ${from})${logged(signed.logged)}: ${target.ref.repository}:${signed.signatureTag}`,
    );
    return;
  }
  const { store, entry: stored } = entry!;
  const signed = await signEntryKeyless(store, stored, keyless);
  const tag = formatTag(stored.tag);
  if (opts.json) {
    printJson({
      tag,
      kind: store.kind.noun,
      path: signed.path,
      subjects: signed.statement.subject.length,
      issuer: claims.iss,
      subject,
      tlog: signed.logged,
    });
    return;
  }
  info(
    `signed ${store.kind.noun} ${tag} keyless as ${subject} (issuer ${claims.iss}, token from ${from})${logged(signed.logged)}: ${signed.path}`,
  );
}

function checkImageAnnotations(annotations: Record<string, string>): void {
  if (Object.keys(annotations).some((k) => k === 'creator' || k === 'timestamp'))
    throw new UsageError('invalid --annotation: creator and timestamp are set by bentoci; choose other keys');
}

async function verifyKeyless(text: string | undefined, opts: VerifyFlags): Promise<void> {
  if (opts.pub !== undefined)
    throw new UsageError(
      'pass --pub (key-based) or --certificate-identity/--certificate-oidc-issuer (keyless), not both',
    );
  if (text === undefined)
    throw new UsageError('keyless verification needs a target: a model or bento tag, or an image reference');
  identityPolicyOf(opts); // a usage mistake fails before the store or the network is touched
  const target = parseSignTarget(text);
  const found = target.type === 'entry' ? await findEntry(target.tag, opts.kind) : undefined;
  const { identity: policy, options } = await keylessTrustOf(opts);
  if (target.type === 'image') {
    const registry = await openSignatureRegistry(target.ref, opts);
    const result = await verifyImageKeyless(registry, target.ref, policy, options).finally(() =>
      registry.close(),
    );
    const passed = reportVerification({ image: formatImageRef(target.ref) }, result, opts.json);
    if (passed)
      info(
        `verified ${formatImageRef(target.ref)} (${passed.digest}): keyless cosign signature of ${passed.signer.identity} (issuer ${passed.signer.issuer}${passed.logged ? ', logged in Rekor' : ', not logged'})`,
      );
    return;
  }
  const { store, entry } = found!;
  const result = await verifyEntryKeyless(store, entry, policy, options);
  const passed = reportVerification(entryHead(store.kind.noun, entry), result, opts.json);
  if (passed) {
    const { subject, predicate } = passed.statement;
    info(
      `verified ${store.kind.noun} ${formatTag(entry.tag)}: ${subject.length} files match the keyless signature of ${passed.signer.identity} (issuer ${passed.signer.issuer}, signed ${predicate.signedAt}${passed.logged ? ', logged in Rekor' : ', not logged'})`,
    );
  }
}

/**
 * Prints a verification as JSON (after `head`: what was verified) when asked, and throws its reason
 * when it failed: a changed file or a signature moved to another digest is an integrity error,
 * anything else (no signature, wrong key) a plain failure. Returns the passed result when a one-line
 * message is still to be printed.
 */
function reportVerification<R extends { ok: true } | { ok: false; reason: string; message: string }>(
  head: Record<string, string>,
  result: R,
  json: boolean | undefined,
): Extract<R, { ok: true }> | undefined {
  if (json) printJson({ ...head, ...result });
  if (!result.ok) {
    const failed = result as Extract<R, { ok: false }>;
    throw failed.reason === 'changed' || failed.reason === 'digest-mismatch'
      ? new IntegrityError(failed.message)
      : new BentoError(failed.message);
  }
  return json ? undefined : (result as Extract<R, { ok: true }>);
}

const entryHead = (noun: string, entry: StoredEntry<EntryInfo>) => ({
  tag: formatTag(entry.tag),
  kind: noun,
});

async function verify(text: string | undefined, opts: VerifyFlags): Promise<void> {
  if (isKeyless(opts)) return verifyKeyless(text, opts);
  if (opts.pub === undefined) return verifyIntegrity(text, opts);
  if (text === undefined)
    throw new UsageError('verify --pub needs a target: a model or bento tag, or an image reference');
  const target = parseSignTarget(text);
  const verifier = await loadVerifier(opts.pub);
  if (target.type === 'entry') {
    const { store, entry } = await findEntry(target.tag, opts.kind);
    const passed = reportVerification(
      entryHead(store.kind.noun, entry),
      await verifyEntry(store, entry, verifier),
      opts.json,
    );
    if (passed) {
      const { subject, predicate } = passed.statement;
      info(
        `verified ${store.kind.noun} ${formatTag(entry.tag)}: ${subject.length} files match the signature by keyid ${passed.keyid.slice(0, 12)} (signed ${predicate.signedAt})`,
      );
    }
    return;
  }
  const registry = await openSignatureRegistry(target.ref, opts);
  const result = await verifyImage(registry, target.ref, verifier).finally(() => registry.close());
  const passed = reportVerification({ image: formatImageRef(target.ref) }, result, opts.json);
  if (passed)
    info(
      `verified ${formatImageRef(target.ref)} (${passed.digest}): cosign signature by keyid ${verifier.keyid.slice(0, 12)}`,
    );
}

/** Without --pub: the store's own check of files against their recorded digests (no signatures). */
async function verifyIntegrity(text: string | undefined, opts: VerifyFlags): Promise<void> {
  if (text !== undefined && parseSignTarget(text).type === 'image') {
    throw new UsageError(`verify ${text}: images are checked by signature; pass --pub KEY`);
  }
  const found = text === undefined ? await allBentos() : [await findEntry(text, opts.kind)];
  const results = [];
  for (const { store, entry } of found) {
    results.push({ tag: formatTag(entry.tag), kind: store.kind.noun, problems: await store.verify(entry) });
  }
  if (opts.json) printJson(results);
  else {
    for (const r of results) {
      const detail = r.problems.map((p) => `${p.path} ${p.problem}`).join(', ');
      info(r.problems.length ? `${r.tag}: DAMAGED: ${detail}` : `${r.tag}: ok`);
    }
  }
  const damaged = results.filter((r) => r.problems.length > 0);
  if (damaged.length > 0) {
    throw new IntegrityError(
      `${damaged.length} of ${results.length} entries are damaged (${damaged.map((d) => d.tag).join(', ')}); delete and save, build or pull them again`,
    );
  }
}

async function allBentos(): Promise<{ store: EntryStore<EntryInfo>; entry: StoredEntry<EntryInfo> }[]> {
  const store = openBentoStore(bentociHome());
  return (await store.list()).map((entry) => ({ store, entry }));
}

/** A store tag: the bento or the model of that name (`--kind` settles a name used by both). */
async function findEntry(
  tag: string,
  kind: string | undefined,
): Promise<{ store: EntryStore<EntryInfo>; entry: StoredEntry<EntryInfo> }> {
  if (kind !== undefined && kind !== 'model' && kind !== 'bento') {
    throw new UsageError(`invalid --kind "${kind}": expected model or bento`);
  }
  const home = bentociHome();
  const stores: Record<Kind, EntryStore<EntryInfo>> = {
    bento: openBentoStore(home),
    model: openModelStore(home),
  };
  if (kind) return { store: stores[kind as Kind], entry: await stores[kind as Kind].get(tag) };
  const found = [];
  for (const k of ['bento', 'model'] as const) {
    const entry = await stores[k].find(tag);
    if (entry) found.push({ store: stores[k], entry });
  }
  if (found.length === 0) {
    throw new UsageError(
      `"${tag}" is neither a bento nor a model in the store (${home}); list them with \`bentoci list\` and \`bentoci models list\``,
    );
  }
  if (found.length > 1)
    throw new UsageError(`"${tag}" names both a bento and a model; pass --kind bento or --kind model`);
  return found[0]!;
}
