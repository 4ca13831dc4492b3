/**
 * Shared by the OMS tests: the reference tool's vectors (copied from model_signing's scripts/tests,
 * commit in SOURCE-COMMIT), a stored model to sign, the field structure of a bundle, and a registry
 * without the referrers API held in memory.
 */
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openModelStore, saveModel } from '../../src/core/model-store.js';
import { sha256Digest } from '../../src/oci/manifests.js';
import type { SignatureRegistry } from '../../src/sign/registry/signature-registry.js';

export const VECTORS = resolve('__tests__/fixtures/model-signing');
export const KEYS = join(VECTORS, 'keys');
export const SIGSTORE_IDENTITY = {
  identity: 'stefanb@us.ibm.com',
  issuer: 'https://sigstore.verify.ibm.com/oauth2',
};

/** A writable copy of a vector folder under `work`. */
export async function copyOf(work: string, folder: string): Promise<string> {
  const dir = join(await mkdtemp(join(work, 'copy-')), folder);
  await cp(join(VECTORS, folder), dir, { recursive: true });
  return dir;
}

/** A model saved in the store at `home`: three files, one of them sorting differently by component. */
export async function savedModel(work: string, home: string, tag = 'iris:v1') {
  const src = await mkdtemp(join(work, 'src-'));
  await mkdir(join(src, 'weights'));
  await writeFile(join(src, 'weights', 'model.bin'), Buffer.alloc(4096, 3));
  await writeFile(join(src, 'labels.txt'), 'a\nb\n');
  await writeFile(join(src, 'weights-a'), 'sorts after weights/ by component');
  const store = openModelStore(home);
  return { store, entry: await saveModel(store, { tag, source: src, module: 'files' }) };
}

/** The field names at each level of a bundle and its statement, to compare with the vectors'. */
export function shape(bundle: unknown) {
  const at = (o: unknown, ...path: (string | number)[]): unknown =>
    path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], o);
  const keys = (o: unknown) => (o && typeof o === 'object' ? Object.keys(o).sort() : undefined);
  const payload = at(bundle, 'dsseEnvelope', 'payload') as string;
  const statement: unknown = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
  const predicate = at(statement, 'predicate');
  return {
    bundle: keys(bundle),
    material: keys(at(bundle, 'verificationMaterial')),
    publicKey: keys(at(bundle, 'verificationMaterial', 'publicKey')),
    envelope: keys(at(bundle, 'dsseEnvelope')),
    signature: keys(at(bundle, 'dsseEnvelope', 'signatures', 0)),
    mediaType: at(bundle, 'mediaType'),
    payloadType: at(bundle, 'dsseEnvelope', 'payloadType'),
    statement: keys(statement),
    type: at(statement, '_type'),
    predicateType: at(statement, 'predicateType'),
    subjects: (at(statement, 'subject') as unknown[]).length,
    subject: keys(at(statement, 'subject', 0)),
    subjectDigest: keys(at(statement, 'subject', 0, 'digest')),
    predicate: keys(predicate),
    serialization: keys(at(predicate, 'serialization')),
    method: at(predicate, 'serialization', 'method'),
    hashType: at(predicate, 'serialization', 'hash_type'),
    symlinks: at(predicate, 'serialization', 'allow_symlinks'),
    resource: keys(at(predicate, 'resources', 0)),
    algorithm: at(predicate, 'resources', 0, 'algorithm'),
  };
}

/** Just enough of a registry without the referrers API (like distribution 2.8). */
export function memoryRegistry(): SignatureRegistry {
  const manifests = new Map<string, { mediaType: string; bytes: Buffer }>();
  const blobs = new Map<string, Buffer>();
  return {
    getManifest: async (repo, ref) => {
      const found = manifests.get(`${repo}@${ref}`);
      return found && { digest: sha256Digest(found.bytes), ...found };
    },
    putManifest: async (repo, ref, mediaType, bytes) => {
      const value = { mediaType, bytes: Buffer.from(bytes) };
      manifests.set(`${repo}@${ref}`, value);
      manifests.set(`${repo}@${sha256Digest(bytes)}`, value);
      return { digest: sha256Digest(bytes), subjectAccepted: false };
    },
    getBlob: async (repo, digest) => blobs.get(`${repo}@${digest}`) ?? Buffer.alloc(0),
    putBlob: async (repo, bytes) => {
      blobs.set(`${repo}@${sha256Digest(bytes)}`, Buffer.from(bytes));
      return sha256Digest(bytes);
    },
    getReferrers: async () => undefined,
  };
}
