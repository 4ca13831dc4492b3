/** The in-toto Statement v1 every attestation is: one subject, the pushed manifest, by its digest. */
import type { AttestationStatement } from './formats.js';

/** What an attestation is about: the pushed manifest (`host/repo`, `sha256:...`). */
export interface AttestationSubject {
  name: string;
  digest: string;
}

export type Statement = AttestationStatement;

/** The bytes that are signed: compact JSON, as cosign and in-toto write statements. */
export function statementBytes(statement: Statement): Buffer {
  return Buffer.from(JSON.stringify(statement));
}
