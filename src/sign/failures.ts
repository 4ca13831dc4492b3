/**
 * How a failed check is reported: every signature failed, each for its own reason. Shared by the
 * verification of entries, images, attestations and OMS signatures.
 */
import type { UserText } from '../core/user-text.js';

/**
 * A failure's words: `message` as a library caller reads it (and JSON shows it), and, when it names
 * options or operations, `text` with them kept as references for a front door to spell
 * (`new BentoError(failure.text ?? failure.message)`).
 */
export interface FailureText {
  message: string;
  text?: UserText;
}

export function failureText(text: string | UserText): FailureText {
  return typeof text === 'string' ? { message: text } : { message: text.render(), text };
}

/**
 * The failure that says most when several signatures failed differently: a content change or
 * tampering before "signed by someone else", and that before "could not be read".
 */
export function mostTelling<F extends { reason: string }>(failures: readonly F[]): F | undefined {
  const rank = [
    'changed',
    'digest-mismatch',
    'bad-signature',
    'other-entry',
    'other-repository',
    'wrong-identity',
    'wrong-key',
    'untrusted',
    'malformed',
  ];
  const order = (f: F) => (rank.includes(f.reason) ? rank.indexOf(f.reason) : rank.length);
  return [...failures].sort((a, b) => order(a) - order(b))[0];
}
