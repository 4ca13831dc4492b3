/**
 * `bentoci keygen` and `bentoci sign` (with a key or keyless): models and bentos in the store are
 * signed as DSSE/in-toto envelopes or Sigstore bundles beside the entry; registry references in
 * cosign's format. `bentoci verify` is registered with them (verify.ts).
 */
import type { Command } from 'commander';
import { type SignedArtifact, signArtifact } from '../operations/sign.js';
import {
  DEFAULT_PASSWORD_ENV,
  formatImageRef,
  PUBLIC_FULCIO_URL,
  PUBLIC_REKOR_URL,
  passphraseFrom,
  writeKeyPair,
} from '../sign/index.js';
import { keyHint } from '../sign/oms/ec-keys.js';
import { withOmsSignFlags } from './oms.js';
import { collectLabel } from './options.js';
import { info, printJson } from './output.js';
import { action } from './program.js';
import { TARGET_HELP, type TargetFlags, withTargetFlags } from './sign-targets.js';
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
  const signed = await signArtifact(text, opts);
  if (opts.json) printJson(signedJson(signed));
  else info(signedLine(signed));
}

/** What `--json` prints: the fields of each kind of signature, as they have always been. */
function signedJson(signed: SignedArtifact): Record<string, unknown> {
  const signing = signed.signing;
  const who =
    signing.kind === 'key'
      ? { keyid: signing.signer.keyid }
      : { issuer: signing.issuer, subject: signing.identity, tlog: signed.logged };
  if (signed.type === 'image')
    return {
      image: formatImageRef(signed.image),
      digest: signed.digest,
      signatureTag: signed.signatureTag,
      ...who,
      kept: signed.kept,
    };
  if (signed.format === 'oms')
    return {
      tag: signed.tag,
      kind: signed.kind,
      format: 'oms',
      path: signed.path,
      files: signed.files,
      tlog: signed.logged,
    };
  return { tag: signed.tag, kind: signed.kind, ...who, path: signed.path, subjects: signed.files };
}

function signedLine(signed: SignedArtifact): string {
  const signing = signed.signing;
  const logged = signed.logged ? ', logged in Rekor' : ', not logged (--no-tlog)';
  const keyless =
    signing.kind === 'keyless'
      ? `keyless as ${signing.identity} (issuer ${signing.issuer}, token from ${signing.from})${logged}`
      : '';
  if (signed.type === 'image') {
    const head = `signed ${formatImageRef(signed.image)} (${signed.digest})`;
    const where = `${signed.image.repository}:${signed.signatureTag}`;
    if (signing.kind === 'keyless') return `${head} ${keyless}: ${where}`;
    const kept = signed.kept ? `, keeping ${signed.kept} other signature(s)` : '';
    return `${head} as ${where}${kept}`;
  }
  const what = `${signed.kind} ${signed.tag}`;
  if (signed.format === 'oms') {
    const by =
      signing.kind === 'key'
        ? `key ${keyHint(signing.signer.publicKey).slice(0, 12)}`
        : signed.logged
          ? 'keyless, logged in Rekor'
          : 'keyless, not logged';
    return `signed ${what} in the OMS v1.0 format (${signed.files} files, ${by}): ${signed.path}`;
  }
  if (signing.kind === 'keyless') return `signed ${what} ${keyless}: ${signed.path}`;
  return `signed ${what} (${signed.files} files, keyid ${signing.signer.keyid.slice(0, 12)}): ${signed.path}`;
}
