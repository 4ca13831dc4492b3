/**
 * `bentoci keygen` and `bentoci sign` (with a key or keyless): models and bentos in the store are
 * signed as DSSE/in-toto envelopes or Sigstore bundles beside the entry; registry references in
 * cosign's format. `bentoci verify` is registered with them (verify.ts).
 */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { formatTag } from '../core/tag.js';
import { resolveIdentityToken } from '../sign/identity-token.js';
import { PUBLIC_FULCIO_URL, PUBLIC_REKOR_URL, signEntryKeyless } from '../sign/keyless.js';
import { DEFAULT_PASSWORD_ENV, loadSigner, passphraseFrom, writeKeyPair } from '../sign/keys.js';
import { openSignatureRegistry } from '../sign/oci-registry.js';
import { signEntry } from '../sign/sign-entry.js';
import { signImage } from '../sign/sign-image.js';
import { signImageKeyless } from '../sign/sign-image-keyless.js';
import { formatImageRef, parseSignTarget } from '../sign/target.js';
import { parseFormat, signOms, withOmsSignFlags } from './oms.js';
import { collectLabel, flagOf } from './options.js';
import { info, printJson } from './output.js';
import { action } from './program.js';
import { findEntry, TARGET_HELP, type TargetFlags, withTargetFlags } from './sign-targets.js';
import { registerVerifyCommand } from './verify.js';

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
  format?: string;
}

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

  const command = withTargetFlags(
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
  withOmsSignFlags(command);

  registerVerifyCommand(program);
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
  const format = parseFormat(opts.format);
  if (format === 'oms' && target.type === 'image')
    throw new UsageError(
      "--format oms is for models and bentos in the store; images are signed in cosign's format",
    );
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
  if (target.type === 'entry' && format === 'oms')
    return signOms(target.tag, opts.kind, { signer }, opts.json);
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
  if (parseFormat(opts.format) === 'oms') return signOms(target.tag, opts.kind, { keyless }, opts.json);
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
