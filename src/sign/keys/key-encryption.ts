/**
 * Passphrase encryption for PKCS#8 private keys with a work factor we choose. Node's
 * `KeyObject.export({ cipher, passphrase })` uses OpenSSL's default of 2,048 PBKDF2 iterations, which
 * a GPU guesses through in no time; this writes the same standard structure (RFC 8018 PBES2:
 * PBKDF2-HMAC-SHA256, AES-256-CBC) with OWASP's 600,000 iterations, so `openssl pkey`, cosign and
 * Node (`createPrivateKey` with the passphrase) read it as they read any encrypted PKCS#8 key, and
 * keys written before keep loading through the same path.
 */
import { createCipheriv, type KeyObject, pbkdf2Sync, randomBytes } from 'node:crypto';

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
export const PBKDF2_ITERATIONS = 600_000;

const OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
};

/** `-----BEGIN ENCRYPTED PRIVATE KEY-----` PEM of `privateKey` under `passphrase`. */
export function encryptPrivateKey(
  privateKey: KeyObject,
  passphrase: string,
  iterations: number = PBKDF2_ITERATIONS,
): string {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, 32, 'sha256');
  const plain = privateKey.export({ type: 'pkcs8', format: 'der' });
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const der = sequence(
    sequence(
      oid(OID.pbes2),
      sequence(
        sequence(
          oid(OID.pbkdf2),
          sequence(octetString(salt), integer(iterations), sequence(oid(OID.hmacWithSha256), NULL)),
        ),
        sequence(oid(OID.aes256Cbc), octetString(iv)),
      ),
    ),
    octetString(encrypted),
  );
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${lines.join('\n')}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
}

// A minimal DER writer: the structure above is all it has to encode.

const NULL = Buffer.from([0x05, 0x00]);

function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function octetString(bytes: Buffer): Buffer {
  return tlv(0x04, bytes);
}

function integer(value: number): Buffer {
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  // A leading 1 bit would make it negative in two's complement.
  if (bytes.length === 0 || (bytes[0] ?? 0) >= 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const body: number[] = [first * 40 + second];
  for (const arc of rest) {
    const base128: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift((v & 0x7f) | 0x80);
    body.push(...base128);
  }
  return tlv(0x06, Buffer.from(body));
}
