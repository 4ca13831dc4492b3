/**
 * Every action's outputs, declared once (tests check each list against its action.yml) and set in
 * one place. Every declared output is set on success, empty when it does not apply, so a workflow
 * expression reading it never depends on which branch the action took.
 */
import * as core from '@actions/core';

export const ACTION_OUTPUTS = {
  'bento-build': ['tag', 'name', 'version', 'digest', 'size', 'models', 'cache-key'],
  'bento-containerize': ['tag', 'digest', 'image-id', 'image-digest', 'image-tags', 'image-size', 'metadata'],
  'bento-push': [
    'tag',
    'digest',
    'artifact-ref',
    'artifact-digest',
    'image-id',
    'image-digest',
    'image-tags',
    'metadata',
    'pushed-refs',
    'signature-refs',
    'attestation-refs',
    'manifests-dir',
  ],
  'bento-canary': [
    'verdict',
    'score',
    'passed',
    'report-file',
    'comment-url',
    'promoted-digest',
    'manifests',
  ],
  pipeline: [
    'tag',
    'version',
    'digest',
    'cache-key',
    'image-id',
    'image-digest',
    'image-tags',
    'metadata',
    'pushed-refs',
    'signature-refs',
    'attestation-refs',
  ],
} as const satisfies Record<string, readonly string[]>;

/** An object is written as JSON (the `metadata` outputs, read with `fromJSON`). */
export type OutputValue =
  | string
  | number
  | readonly string[]
  | { readonly [key: string]: unknown }
  | undefined;
export type OutputValues<N extends string> = Partial<Record<N, OutputValue>>;

/** Lists become one item a line: readable in the log and splittable with `fromJSON`-free shell. */
export function formatOutput(value: OutputValue): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (isList(value)) return value.join('\n');
  return JSON.stringify(value);
}

function isList(value: OutputValue): value is readonly string[] {
  return Array.isArray(value);
}

export function setOutputs<N extends string>(declared: readonly N[], values: OutputValues<N>): void {
  for (const name of Object.keys(values)) {
    if (!declared.includes(name as N)) throw new Error(`output "${name}" is not declared in action.yml`);
  }
  for (const name of declared) core.setOutput(name, formatOutput(values[name]));
}
