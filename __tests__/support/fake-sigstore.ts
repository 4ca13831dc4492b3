/**
 * A local stand-in for Sigstore's public services, for keyless tests without network access:
 *
 * - Fulcio: `POST /api/v2/signingCert` as in Fulcio's public v2 API. The identity token is not
 *   verified (no OIDC provider here), only decoded: the certificate gets its `sub` as a URI SAN and
 *   its `iss` in the Fulcio issuer extensions (v1 raw, v2 DER UTF8String), issued from a throwaway
 *   CA for 10 minutes. Proof of possession (the signed `sub`) is checked, as Fulcio does.
 * - Rekor: `POST /api/v1/log/entries` for `dsse` and `hashedrekord` v0.0.1 entries, each in a log of
 *   its own: a signed entry timestamp over the canonical entry, and a one-leaf inclusion proof with a
 *   signed checkpoint.
 *
 * No SCTs are issued (no CT log), so verification runs with `ignoreSct`.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
  webcrypto,
} from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

export interface FakeCa {
  cert: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

export async function createCa(name: string): Promise<FakeCa> {
  const keys = (await webcrypto.subtle.generateKey(ECDSA, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}, O=bentoci tests`,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 24 * 3_600_000),
    keys,
    signingAlgorithm: ECDSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

/** DER UTF8String, what Fulcio puts in the v2 issuer extension. */
function utf8String(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  if (body.length > 127) throw new Error('issuer too long for this fake');
  return Buffer.concat([Buffer.from([0x0c, body.length]), body]);
}

export async function issueLeaf(
  ca: FakeCa,
  publicKeyPem: string,
  claims: { sub: string; iss: string },
  validity: { notBefore: Date; notAfter: Date },
): Promise<x509.X509Certificate> {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  const publicKey = await webcrypto.subtle.importKey('spki', der, ECDSA, true, ['verify']);
  return x509.X509CertificateGenerator.create({
    serialNumber: createHash('sha256').update(publicKeyPem).digest('hex').slice(0, 16),
    subject: '',
    issuer: ca.cert.subject,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    signingKey: ca.keys.privateKey,
    publicKey,
    signingAlgorithm: ECDSA,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([OID_CODE_SIGNING]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: claims.sub }], true),
      new x509.Extension(OID_ISSUER_V1, false, Buffer.from(claims.iss, 'ascii')),
      new x509.Extension(OID_ISSUER_V2, false, utf8String(claims.iss)),
    ],
  });
}

/** An unsigned JWT (alg none): the fake Fulcio does not check signatures, real Fulcio would refuse it. */
export function mintToken(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface FakeSigstore {
  url: string;
  ca: FakeCa;
  rekorKey: KeyObject;
  requests: { fulcio: number; rekor: number };
  /** A TrustedRoot JSON trusting this CA and log (`ca` to trust another CA instead). */
  trustedRoot(ca?: FakeCa): object;
  close(): Promise<void>;
}

export interface FakeSigstoreOptions {
  certLifetimeMs?: number;
  /**
   * Who GitHub's OIDC token endpoint (`GET /oidc/token?...&audience=A`, bearer
   * `oidcRequestToken`) says the job is; what ACTIONS_ID_TOKEN_REQUEST_URL points at in a job.
   */
  oidc?: { iss: string; sub: string };
}

/** The request token a job must present to the fake OIDC endpoint. */
export const OIDC_REQUEST_TOKEN = 'fake-actions-request-token';

export async function startFakeSigstore(options: FakeSigstoreOptions = {}): Promise<FakeSigstore> {
  const ca = await createCa('fake fulcio');
  const rekor = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rekorSpki = rekor.publicKey.export({ type: 'spki', format: 'der' });
  const logId = createHash('sha256').update(rekorSpki).digest();
  const requests = { fulcio: 0, rekor: 0 };
  let url = '';

  const fulcio = async (body: unknown): Promise<[number, unknown]> => {
    const req = body as {
      credentials?: { oidcIdentityToken?: string };
      publicKeyRequest?: { publicKey?: { content?: string }; proofOfPossession?: string };
    };
    const token = req.credentials?.oidcIdentityToken ?? '';
    const payload = token.split('.')[1];
    const claims = payload
      ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>)
      : {};
    if (
      typeof claims['sub'] !== 'string' ||
      typeof claims['iss'] !== 'string' ||
      claims['aud'] !== 'sigstore'
    )
      return [401, { message: 'token needs sub, iss and aud "sigstore"' }];
    const pem = req.publicKeyRequest?.publicKey?.content ?? '';
    const pop = Buffer.from(req.publicKeyRequest?.proofOfPossession ?? '', 'base64');
    if (!verify('sha256', Buffer.from(claims['sub']), pem, pop))
      return [400, { message: 'proof of possession does not verify' }];
    const now = Date.now();
    const leaf = await issueLeaf(
      ca,
      pem,
      { sub: claims['sub'], iss: claims['iss'] },
      { notBefore: new Date(now - 1000), notAfter: new Date(now + (options.certLifetimeMs ?? 600_000)) },
    );
    return [
      201,
      {
        signedCertificateEmbeddedSct: {
          chain: { certificates: [leaf.toString('pem'), ca.cert.toString('pem')] },
        },
      },
    ];
  };

  const rekorEntry = (body: unknown): [number, unknown] => {
    const entryBody = canonicalEntry(body);
    if (!entryBody) return [400, { message: 'only dsse and hashedrekord entries' }];
    const bodyBytes = Buffer.from(canonicalJson(entryBody));
    const integratedTime = Math.floor(Date.now() / 1000);
    const logID = logId.toString('hex');
    const set = sign(
      'sha256',
      Buffer.from(canonicalJson({ body: bodyBytes.toString('base64'), integratedTime, logID, logIndex: 0 })),
      rekor.privateKey,
    );
    const root = createHash('sha256')
      .update(Buffer.from([0]))
      .update(bodyBytes)
      .digest();
    const note = `127.0.0.1 - 1\n1\n${root.toString('base64')}\n`;
    const noteSig = Buffer.concat([
      logId.subarray(0, 4),
      sign('sha256', Buffer.from(note), rekor.privateKey),
    ]);
    const checkpoint = `${note}\n\u2014 127.0.0.1 ${noteSig.toString('base64')}\n`;
    return [
      201,
      {
        [createHash('sha256').update(bodyBytes).digest('hex')]: {
          body: bodyBytes.toString('base64'),
          integratedTime,
          logID,
          logIndex: 0,
          verification: {
            signedEntryTimestamp: set.toString('base64'),
            inclusionProof: {
              logIndex: 0,
              treeSize: 1,
              rootHash: root.toString('hex'),
              hashes: [],
              checkpoint,
            },
          },
        },
      },
    ];
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = async (): Promise<[number, unknown]> => {
        if (req.method === 'GET' && req.url?.startsWith('/oidc/token') && options.oidc) {
          if (req.headers.authorization !== `Bearer ${OIDC_REQUEST_TOKEN}`)
            return [401, { message: 'bad request token' }];
          const audience = new URL(req.url, 'http://x').searchParams.get('audience') ?? '';
          const exp = Math.floor(Date.now() / 1000) + 600;
          return [200, { value: mintToken({ ...options.oidc, aud: audience, exp }) }];
        }
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as unknown;
        if (req.method === 'POST' && req.url === '/api/v2/signingCert') {
          requests.fulcio++;
          return fulcio(body);
        }
        if (req.method === 'POST' && req.url === '/api/v1/log/entries') {
          requests.rekor++;
          return rekorEntry(body);
        }
        return [404, { message: 'not found' }];
      };
      reply()
        .catch((err: Error): [number, unknown] => [500, { message: err.message }])
        .then(([status, json]) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(json));
        });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const start = new Date(Date.now() - 24 * 3_600_000).toISOString();
  return {
    url,
    ca,
    rekorKey: rekor.publicKey,
    requests,
    trustedRoot: (trusted = ca) => ({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [
        {
          baseUrl: url,
          hashAlgorithm: 'SHA2_256',
          publicKey: {
            rawBytes: rekorSpki.toString('base64'),
            keyDetails: 'PKIX_ECDSA_P256_SHA_256',
            validFor: { start },
          },
          logId: { keyId: logId.toString('base64') },
        },
      ],
      certificateAuthorities: [
        {
          subject: { organization: 'bentoci tests', commonName: 'fake fulcio' },
          uri: url,
          certChain: { certificates: [{ rawBytes: Buffer.from(trusted.cert.rawData).toString('base64') }] },
          validFor: { start },
        },
      ],
      ctlogs: [],
      timestampAuthorities: [],
    }),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** The entry Rekor stores for a proposed one: `dsse` hashes the envelope; `hashedrekord` is kept as sent. */
function canonicalEntry(body: unknown): object | undefined {
  const proposed = body as {
    kind?: string;
    apiVersion?: string;
    spec?: {
      proposedContent?: { envelope?: string; verifiers?: string[] };
      data?: { hash?: { algorithm?: string; value?: string } };
      signature?: { content?: string; publicKey?: { content?: string } };
    };
  };
  if (proposed.kind === 'hashedrekord') {
    const { data, signature } = proposed.spec ?? {};
    if (!data?.hash?.value || !signature?.content || !signature.publicKey?.content) return undefined;
    return { apiVersion: '0.0.1', kind: 'hashedrekord', spec: { data, signature } };
  }
  const content = proposed.spec?.proposedContent;
  if (proposed.kind !== 'dsse' || !content?.envelope || !content.verifiers?.[0]) return undefined;
  const envelope = JSON.parse(content.envelope) as { payload: string; signatures: { sig: string }[] };
  const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha(content.envelope) },
      payloadHash: { algorithm: 'sha256', value: sha(Buffer.from(envelope.payload, 'base64')) },
      signatures: [{ signature: envelope.signatures[0]?.sig ?? '', verifier: content.verifiers[0] }],
    },
  };
}
