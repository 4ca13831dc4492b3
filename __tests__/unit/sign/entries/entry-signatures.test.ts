import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { CLI_NAMING } from '../../../../src/cli/naming.js';
import { openBentoStore } from '../../../../src/core/bento-store.js';
import { BentoError, OptionError } from '../../../../src/core/errors.js';
import { openModelStore, saveModel } from '../../../../src/core/model-store.js';
import { SIGNATURES_DIR } from '../../../../src/core/store.js';
import type { BentoInfo } from '../../../../src/shared/schemas.js';
import { readEntryEnvelopes } from '../../../../src/sign/entries/envelopes.js';
import { signEntry } from '../../../../src/sign/entries/sign.js';
import { verifyEntry } from '../../../../src/sign/entries/verify.js';
import { ENTRY_PREDICATE_TYPE, IN_TOTO_STATEMENT_TYPE } from '../../../../src/sign/formats/in-toto.js';
import { loadSigner, loadVerifier, writeKeyPair } from '../../../../src/sign/keys/key-files.js';
import type { Signer, Verifier } from '../../../../src/sign/keys/signer.js';
import { enforceVerifyPolicy } from '../../../../src/sign/policy.js';

const tmp = (what: string) => mkdtemp(join(tmpdir(), `bentoci-sign-${what}-`));
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function keys(
  dir: string,
  name = 'k',
): Promise<{ signer: Signer; verifier: Verifier; pubPath: string }> {
  const { keyPath, pubPath } = await writeKeyPair(join(dir, name));
  return { signer: await loadSigner(keyPath), verifier: await loadVerifier(pubPath), pubPath };
}

/** A model of two opaque files, one in a subdirectory. */
async function savedModel(home: string, tag = 'iris:v1') {
  const src = await tmp('src');
  await mkdir(join(src, 'weights'));
  await writeFile(
    join(src, 'weights', 'model.bin'),
    Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251)),
  );
  await writeFile(join(src, 'vocab.txt'), 'setosa\nversicolor\nvirginica\n');
  const store = openModelStore(home);
  return { store, entry: await saveModel(store, { tag, source: src, module: 'files' }) };
}

/** A bento as the builder lays it out, committed through the store so bento.yaml is the real thing. */
async function savedBento(home: string) {
  const store = openBentoStore(home);
  const staged = await store.stage();
  await mkdir(join(staged, 'src'), { recursive: true });
  await mkdir(join(staged, 'apis'), { recursive: true });
  await writeFile(join(staged, 'src', 'service.ts'), 'export const svc = {};\n');
  await writeFile(join(staged, 'apis', 'openapi.yaml'), 'openapi: 3.0.0\n');
  const tag = { name: 'iris_service', version: 'b1' };
  const entry = await store.commit(staged, tag, (content) => {
    const info: BentoInfo = {
      name: tag.name,
      version: tag.version,
      api_version: 'v1',
      labels: { stage: 'candidate' },
      creation_time: new Date().toISOString(),
      bentoci_version: '0.1.0',
      service: { name: 'iris_service', apis: [] },
      models: [],
      envs: [],
      node: { packages: [] },
      docker: {},
      ...content,
    };
    return info;
  });
  return { store, entry };
}

/** Key-sorted compact JSON, written here rather than imported so the test checks the format. */
function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v;
  return JSON.stringify(sort(value));
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

describe('signing a model', () => {
  it('round-trips, and the envelope is a DSSE/in-toto v1 statement that openssl verifies', async () => {
    const home = await tmp('home');
    const dir = await tmp('keys');
    const { signer, verifier, pubPath } = await keys(dir);
    const { store, entry } = await savedModel(home);
    const signed = await signEntry(store, entry, signer);
    expect(signed.path).toBe(join(entry.dir, SIGNATURES_DIR, `${signer.keyid}.dsse.json`));
    // .signatures/ is not content: the store still finds the entry intact.
    expect(await store.verify(entry)).toEqual([]);

    const result = await verifyEntry(store, entry, verifier);
    expect(result).toMatchObject({ ok: true, keyid: signer.keyid });

    // Independent check: read the file, rebuild PAE by hand, verify with openssl.
    const envelope = JSON.parse(await readFile(signed.path, 'utf8'));
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(envelope.signatures[0].keyid).toBe(signer.keyid);
    const payload = Buffer.from(envelope.payload, 'base64');
    const pae = Buffer.concat([
      Buffer.from(`DSSEv1 ${envelope.payloadType.length} ${envelope.payloadType} ${payload.length} `),
      payload,
    ]);
    await writeFile(join(dir, 'pae.bin'), pae);
    await writeFile(join(dir, 'sig.der'), Buffer.from(envelope.signatures[0].sig, 'base64'));
    expect(
      openssl([
        'dgst',
        '-sha256',
        '-verify',
        pubPath,
        '-signature',
        join(dir, 'sig.der'),
        join(dir, 'pae.bin'),
      ]),
    ).toContain('Verified OK');

    // The statement names every file with the sha256 of its bytes on disk, and model.yaml by the
    // sha256 of its content as key-sorted JSON (computed here independently).
    const statement = JSON.parse(payload.toString('utf8'));
    expect(statement._type).toBe(IN_TOTO_STATEMENT_TYPE);
    expect(statement.predicateType).toBe(ENTRY_PREDICATE_TYPE);
    expect(statement.predicate).toMatchObject({
      kind: 'model',
      tag: 'iris:v1',
      contentDigest: entry.info.digest,
      infoFile: 'model.yaml',
    });
    const infoJson = sortedJson(YAML.parse(await readFile(join(entry.dir, 'model.yaml'), 'utf8')));
    expect(statement.subject).toEqual([
      {
        name: 'model.yaml',
        digest: { sha256: sha256(infoJson) },
        mediaType: 'application/vnd.bentoci.model.config.v1+json',
      },
      { name: 'vocab.txt', digest: { sha256: sha256(await readFile(join(entry.dir, 'vocab.txt'))) } },
      {
        name: 'weights/model.bin',
        digest: { sha256: sha256(await readFile(join(entry.dir, 'weights/model.bin'))) },
      },
    ]);
  });

  it('fails on a flipped byte in a model file and names the file', async () => {
    const home = await tmp('home');
    const { signer, verifier } = await keys(await tmp('keys'));
    const { store, entry } = await savedModel(home);
    await signEntry(store, entry, signer);
    const path = join(entry.dir, 'weights', 'model.bin');
    const bytes = await readFile(path);
    bytes[1000] = bytes[1000]! ^ 0x01;
    await writeFile(path, bytes);
    const result = await verifyEntry(store, entry, verifier);
    expect(result).toMatchObject({ ok: false, reason: 'changed' });
    expect(!result.ok && result.message).toMatch(
      /^model iris:v1 does not match its signature: weights\/model\.bin changed \(signed sha256 [0-9a-f]{12}…, now [0-9a-f]{12}…\)$/,
    );
  });

  it('fails when a file is added or removed after signing', async () => {
    const home = await tmp('home');
    const { signer, verifier } = await keys(await tmp('keys'));
    const { store, entry } = await savedModel(home);
    await signEntry(store, entry, signer);
    await writeFile(join(entry.dir, 'extra.py'), 'print("hi")\n');
    const added = await verifyEntry(store, entry, verifier);
    expect(!added.ok && added.message).toMatch(/extra\.py was added after signing$/);
    await rm(join(entry.dir, 'extra.py'));
    await rm(join(entry.dir, 'vocab.txt'));
    const removed = await verifyEntry(store, entry, verifier);
    expect(!removed.ok && removed.message).toMatch(/: vocab\.txt is missing$/);
  });

  it('fails with the wrong key, saying which key signed it', async () => {
    const dir = await tmp('keys');
    const { signer } = await keys(dir, 'a');
    const other = await keys(dir, 'b');
    const { store, entry } = await savedModel(await tmp('home'));
    await signEntry(store, entry, signer);
    const result = await verifyEntry(store, entry, other.verifier);
    expect(result).toMatchObject({ ok: false, reason: 'wrong-key' });
    expect(!result.ok && result.message).toContain(`it is signed by ${signer.keyid.slice(0, 12)}`);
  });

  it('fails when unsigned, and when the envelope payload was altered under the same signature', async () => {
    const { signer, verifier } = await keys(await tmp('keys'));
    const { store, entry } = await savedModel(await tmp('home'));
    const unsigned = await verifyEntry(store, entry, verifier);
    expect(unsigned).toMatchObject({ ok: false, reason: 'unsigned' });
    expect(!unsigned.ok && unsigned.message).toMatch(
      /^model iris:v1 has no signature .*; sign it with `sign\(iris:v1, \{ key: KEY \}\)`$/,
    );
    // The fix, kept as an operation for a front door to spell: the CLI names its command.
    expect(!unsigned.ok && unsigned.text?.render(CLI_NAMING)).toMatch(
      /; sign it with `bentoci sign iris:v1 --key KEY`$/,
    );

    const { path, envelope } = await signEntry(store, entry, signer);
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString());
    statement.predicate.tag = 'iris:v1'; // same values, re-serialized differently below
    const forged = {
      ...envelope,
      payload: Buffer.from(JSON.stringify(statement, null, 1)).toString('base64'),
    };
    await writeFile(path, JSON.stringify(forged));
    const altered = await verifyEntry(store, entry, verifier);
    expect(altered).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('does not accept one version signature for another version with the same files', async () => {
    const home = await tmp('home');
    const { signer, verifier } = await keys(await tmp('keys'));
    const { store, entry } = await savedModel(home, 'iris:v1');
    const v2 = (await savedModel(home, 'iris:v2')).entry;
    await signEntry(store, entry, signer);
    await cp(join(entry.dir, SIGNATURES_DIR), join(v2.dir, SIGNATURES_DIR), { recursive: true });
    const result = await verifyEntry(store, v2, verifier);
    expect(result).toMatchObject({ ok: false, reason: 'other-entry' });
    expect(!result.ok && result.message).toContain('is a signature of model iris:v1, not of this entry');
  });

  it('refuses to sign a damaged entry', async () => {
    const { signer } = await keys(await tmp('keys'));
    const { store, entry } = await savedModel(await tmp('home'));
    await writeFile(join(entry.dir, 'vocab.txt'), 'tampered\n');
    await expect(signEntry(store, entry, signer)).rejects.toThrow(/is damaged: vocab\.txt/);
    expect(await readdir(join(entry.dir, SIGNATURES_DIR)).catch(() => [])).toEqual([]);
  });

  it('keeps one signature per key and accepts either signer', async () => {
    const dir = await tmp('keys');
    const a = await keys(dir, 'a');
    const b = await keys(dir, 'b');
    const { store, entry } = await savedModel(await tmp('home'));
    await signEntry(store, entry, a.signer);
    await signEntry(store, entry, a.signer);
    await signEntry(store, entry, b.signer);
    expect((await readEntryEnvelopes(entry.dir)).envelopes).toHaveLength(2);
    expect(await verifyEntry(store, entry, a.verifier)).toMatchObject({ ok: true });
    expect(await verifyEntry(store, entry, b.verifier)).toMatchObject({ ok: true });
  });
});

describe('signing a bento', () => {
  it('round-trips, and a changed bento.yaml fails naming bento.yaml', async () => {
    const { signer, verifier } = await keys(await tmp('keys'));
    const { store, entry } = await savedBento(await tmp('home'));
    await signEntry(store, entry, signer);
    expect(await verifyEntry(store, entry, verifier)).toMatchObject({
      ok: true,
      statement: { predicate: { kind: 'bento' } },
    });

    // Rewriting bento.yaml with the same content (other key order and layout, as import or pull may)
    // keeps the signature valid.
    const content = YAML.parse(await readFile(join(entry.dir, 'bento.yaml'), 'utf8'));
    await writeFile(
      join(entry.dir, 'bento.yaml'),
      YAML.stringify(Object.fromEntries(Object.entries(content).reverse()), { indent: 4 }),
    );
    expect(await verifyEntry(store, entry, verifier)).toMatchObject({ ok: true });

    // A label change leaves every content file and the manifest digest as they were: only the info file differs.
    const infoPath = join(entry.dir, 'bento.yaml');
    await writeFile(
      infoPath,
      (await readFile(infoPath, 'utf8')).replace('stage: candidate', 'stage: production'),
    );
    expect(await store.verify(entry)).toEqual([]);
    const result = await verifyEntry(store, entry, verifier);
    expect(result).toMatchObject({ ok: false, reason: 'changed' });
    expect(!result.ok && result.message).toMatch(
      /^bento iris_service:b1 does not match its signature: bento\.yaml changed/,
    );
  });
});

describe('verify policy', () => {
  it('require throws on unsigned and tampered entries, warn logs and continues, off skips', async () => {
    const dir = await tmp('keys');
    const { signer, verifier, pubPath } = await keys(dir);
    const { store, entry } = await savedModel(await tmp('home'));
    const target = { type: 'entry' as const, store, entry };
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);

    await expect(enforceVerifyPolicy('require', target, pubPath)).rejects.toThrow(
      /^`verify: require`: model iris:v1 has no signature/,
    );
    const required = (await enforceVerifyPolicy('require', target, pubPath).catch(
      (e: unknown) => e,
    )) as BentoError;
    expect(required.render(CLI_NAMING)).toMatch(
      /^--verify require: model iris:v1 has no signature .*`bentoci sign iris:v1 --key KEY`$/,
    );
    expect(await enforceVerifyPolicy('warn', target, pubPath, { warn })).toMatchObject({ status: 'warned' });
    expect(warnings).toHaveLength(1);
    expect(await enforceVerifyPolicy('off', target, undefined)).toEqual({ status: 'skipped' });
    const noTrust = await enforceVerifyPolicy('require', target, undefined).catch((e: unknown) => e);
    expect(noTrust).toBeInstanceOf(OptionError);
    expect((noTrust as OptionError).option).toBe('verify');
    expect((noTrust as OptionError).render(CLI_NAMING)).toBe(
      '--verify require needs a public key (--pub PATH or env://NAME) or a keyless signer (--certificate-identity and --certificate-oidc-issuer)',
    );
    expect(await enforceVerifyPolicy('warn', target, undefined, { warn })).toMatchObject({
      status: 'warned',
    });

    await signEntry(store, entry, signer);
    expect(await enforceVerifyPolicy('require', target, verifier)).toEqual({
      status: 'verified',
      by: `key ${signer.keyid.slice(0, 12)}`,
    });
    await writeFile(join(entry.dir, 'vocab.txt'), 'changed\n');
    const err = await enforceVerifyPolicy('require', target, verifier, { key: 'verifySignature' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BentoError);
    expect((err as BentoError).render(CLI_NAMING)).toMatch(
      /^--verify-signature require: model iris:v1 does not match its signature: vocab\.txt changed/,
    );
  });
});
