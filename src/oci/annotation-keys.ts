/**
 * Keys and values of image labels and manifest annotations, checked by the OCI image spec's rules
 * (annotations.md) before anything is built or pushed: a key is non-empty text without whitespace or
 * control characters, reverse-domain by convention; `org.opencontainers.*` is reserved for the keys
 * the spec defines, so a misspelt pre-defined key is refused rather than silently ignored by tools.
 */
import { invalidValue, type ValueName } from '../core/invalid-value.js';

/** The pre-defined annotation keys of the OCI image spec (also used as image labels). */
export const OCI_PREDEFINED_KEYS = [
  'org.opencontainers.image.created',
  'org.opencontainers.image.authors',
  'org.opencontainers.image.url',
  'org.opencontainers.image.documentation',
  'org.opencontainers.image.source',
  'org.opencontainers.image.version',
  'org.opencontainers.image.revision',
  'org.opencontainers.image.vendor',
  'org.opencontainers.image.licenses',
  'org.opencontainers.image.ref.name',
  'org.opencontainers.image.title',
  'org.opencontainers.image.description',
  'org.opencontainers.image.base.digest',
  'org.opencontainers.image.base.name',
] as const;

const OCI_PREFIX = 'org.opencontainers.';
const MAX_KEY = 256;
/** Annotations travel in the manifest, which registries cap (4 MiB is common): keep each value small. */
const MAX_VALUE = 64 * 1024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `key` cannot be a label or annotation key, or undefined when it can. */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'the key is empty';
  if (key.length > MAX_KEY) return `the key is longer than ${MAX_KEY} characters`;
  if (/\s/.test(key) || CONTROL.test(key)) return 'the key contains whitespace or control characters';
  if (key.startsWith(OCI_PREFIX) && !(OCI_PREDEFINED_KEYS as readonly string[]).includes(key)) {
    const near = OCI_PREDEFINED_KEYS.filter((k) => k.split('.').at(-1) === key.split('.').at(-1));
    return `org.opencontainers.* keys are reserved for the OCI spec's own${near.length ? ` (did you mean ${near[0]}?)` : `: ${OCI_PREDEFINED_KEYS.map((k) => k.slice('org.opencontainers.image.'.length)).join(', ')} under org.opencontainers.image.`}; use a reverse-domain key of your own, e.g. com.example.team`;
  }
  return undefined;
}

/** Why `value` cannot be a label or annotation value, or undefined when it can. */
export function valueProblem(value: string): string | undefined {
  if (CONTROL.test(value.replace(/\t/g, ' '))) return 'the value contains a newline or control characters';
  if (value.length > MAX_VALUE) return `the value is longer than ${MAX_VALUE} characters`;
  return undefined;
}

/**
 * Checks every pair; `name` is the option the user typed them into (`annotation`, `label`), so the
 * error says what to fix where.
 */
export function checkKeyValues(pairs: Record<string, string>, name: ValueName): Record<string, string> {
  for (const [key, value] of Object.entries(pairs)) {
    const problem = keyProblem(key) ?? valueProblem(value);
    if (problem) throw invalidValue(name, `${key}=${oneLine(value)}`, problem);
  }
  return pairs;
}

function oneLine(text: string): string {
  const flat = text.replace(/[\r\n]+/g, '\\n');
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}
