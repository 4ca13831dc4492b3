/**
 * `bentoci verify`: with --pub or a keyless identity, the signature of a model, bento or image; without,
 * the store's own check of stored entries against their recorded digests.
 */
import type { Command } from 'commander';
import { openBentoStore } from '../core/bento-store.js';
import { BentoError, IntegrityError, UsageError } from '../core/errors.js';
import { bentociHome } from '../core/home.js';
import { describeProblems, type EntryInfo, type EntryStore, type StoredEntry } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { verifyEntryKeyless } from '../sign/keyless-verify.js';
import { loadVerifier } from '../sign/keys.js';
import { openSignatureRegistry } from '../sign/oci-registry.js';
import { formatImageRef, parseSignTarget } from '../sign/target.js';
import { verifyEntry } from '../sign/verify-entry.js';
import { verifyImage } from '../sign/verify-image.js';
import { verifyImageKeyless } from '../sign/verify-image-keyless.js';
import { isOmsVerify, type OmsVerifyFlags, verifyOms, withOmsVerifyFlags } from './oms.js';
import { info, printJson } from './output.js';
import { action } from './program.js';
import { findEntry, TARGET_HELP, type TargetFlags, withTargetFlags } from './sign-targets.js';
import {
  type AttestationVerifyFlags,
  verifyAttestationCommand,
  withAttestationFlag,
} from './verify-attestation.js';
import {
  identityPolicyOf,
  isKeyless,
  keylessTrustOf,
  type TrustFlags,
  withTrustFlags,
} from './verify-gate.js';

interface VerifyFlags extends TargetFlags, TrustFlags, OmsVerifyFlags, AttestationVerifyFlags {}

export function registerVerifyCommand(program: Command): void {
  // The bento store commands registered at the top level include an integrity-only `verify`; this one
  // does that too (without --pub) and checks signatures with --pub, so it takes the name over.
  const existing = program.commands.findIndex((c) => c.name() === 'verify');
  if (existing >= 0) (program.commands as Command[]).splice(existing, 1);
  const command = withTargetFlags(
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
  withOmsVerifyFlags(command);
  withAttestationFlag(command);
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
  if (opts.attestation !== undefined) return verifyAttestationCommand(text, opts.attestation, opts);
  if (isOmsVerify(opts)) return verifyOms(text, opts);
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
      const detail = describeProblems(r.problems);
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
