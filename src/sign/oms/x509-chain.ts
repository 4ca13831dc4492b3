/**
 * Certificate-based OMS signatures (`model_signing sign|verify certificate`): the bundle carries the
 * signing certificate and the chain above it; the verifier brings the certificates it trusts. As in
 * model_signing, the chain is checked at the signing certificate's notBefore (nothing else in such a
 * bundle says when it was signed), and the signing certificate must allow signing (key usage
 * digitalSignature or extended key usage codeSigning).
 *
 * Every certificate the user passes is a trust anchor (OpenSSL's "partial chain": trusting an
 * intermediate trusts what it issued). Certificates from the bundle are only candidates for the path.
 * Node's X509Certificate checks names and signatures; @sigstore/core reads the extensions Node does not
 * expose (key usage bits, basic constraints).
 */
import { type KeyObject, X509Certificate } from 'node:crypto';
import { X509Certificate as ParsedCertificate } from '@sigstore/core';
import { OptionError } from '../../core/errors.js';
import { option, say } from '../../core/user-text.js';
import { type FailureText, failureText } from '../failures.js';

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const MAX_DEPTH = 8;

export type ChainCheck =
  | { ok: true; publicKey: KeyObject; subjects: string[] }
  | ({ ok: false } & FailureText);

/** The certificates in PEM text (one or many) from `source`, a file given as option `certificateChain`. */
export function parseTrustAnchors(text: string, source: string): X509Certificate[] {
  const fail = (why: string) =>
    new OptionError('certificateChain', say`${option('certificateChain')} "${source}": ${why}`);
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw fail('no PEM certificate in the file');
  return blocks.map((pem) => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw fail('a certificate in it does not parse');
    }
  });
}

/** Checks the bundle's chain (leaf first, DER) against the trust anchors; returns the signing key. */
export function verifyCertificateChain(
  chainDer: readonly Buffer[],
  anchors: readonly X509Certificate[],
): ChainCheck {
  let certs: { node: X509Certificate; parsed: ParsedCertificate }[];
  try {
    certs = chainDer.map((der) => ({
      node: new X509Certificate(der),
      parsed: ParsedCertificate.parse(Buffer.from(der)),
    }));
  } catch (err) {
    return { ok: false, message: `a certificate in the bundle does not parse (${(err as Error).message})` };
  }
  const [leaf, ...intermediates] = certs;
  if (!leaf) return { ok: false, message: 'the bundle holds no certificate' };
  const at = leaf.parsed.notBefore;
  const usage = leaf.parsed.extKeyUsage;
  const eku = leaf.node.keyUsage ?? [];
  if (!usage?.digitalSignature && !eku.includes(CODE_SIGNING))
    return {
      ok: false,
      message: `the signing certificate (${leaf.node.subject}) allows neither digital signatures nor code signing`,
    };

  const subjects = [oneLine(leaf.node.subject)];
  let current = leaf;
  const used = new Set<ParsedCertificate>();
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!current.parsed.validForDate(at))
      return { ok: false, message: `${oneLine(current.node.subject)} is not valid at ${at.toISOString()}` };
    const anchor = anchors.find((a) => issues(a, current.node));
    if (anchor) {
      const parsedAnchor = ParsedCertificate.parse(Buffer.from(anchor.raw));
      if (!parsedAnchor.validForDate(at))
        return {
          ok: false,
          message: `the trusted ${oneLine(anchor.subject)} is not valid at ${at.toISOString()}`,
        };
      subjects.push(oneLine(anchor.subject));
      return { ok: true, publicKey: leaf.node.publicKey, subjects };
    }
    const next = intermediates.find((c) => !used.has(c.parsed) && issues(c.node, current.node));
    if (!next) break;
    if (!next.parsed.isCA || (next.parsed.extKeyUsage && !next.parsed.extKeyUsage.keyCertSign))
      return { ok: false, message: `${oneLine(next.node.subject)} in the bundle is not a CA certificate` };
    used.add(next.parsed);
    subjects.push(oneLine(next.node.subject));
    current = next;
  }
  return {
    ok: false,
    ...failureText(
      say`the certificate chain (${subjects.join(' <- ')}) does not lead to a certificate given in ${option('certificateChain')}`,
    ),
  };
}

function issues(issuer: X509Certificate, cert: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function oneLine(subject: string): string {
  return subject.split('\n').join(', ');
}
