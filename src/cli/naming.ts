/**
 * How the CLI spells what messages below it name: an option is a flag (the key in kebab case,
 * `releaseTags` -> `--release-tags`, unless the table says otherwise) and an operation is the
 * command that runs it.
 */
import type { Naming, OperationName, OperationRef, OptionRef } from '../core/user-text.js';

/** Option keys whose flag is not the key in kebab case. */
const FLAG_OF: Readonly<Record<string, string>> = {};

const COMMAND_OF: Readonly<Record<OperationName, string>> = {
  build: 'bentoci build',
  containerize: 'bentoci containerize',
  'delete-bento': 'bentoci delete',
  'delete-model': 'bentoci models delete',
  'export-bento': 'bentoci export',
  'export-model': 'bentoci models export',
  'import-bento': 'bentoci import',
  'import-model': 'bentoci models import',
  keygen: 'bentoci keygen',
  'list-bentos': 'bentoci list',
  'list-models': 'bentoci models list',
  'pull-bento': 'bentoci pull',
  'pull-model': 'bentoci models pull',
  push: 'bentoci push',
  'save-model': 'bentoci models save',
  sign: 'bentoci sign',
  verify: 'bentoci verify',
};

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function flagOf(key: string): string {
  return FLAG_OF[key] ?? `--${kebab(key)}`;
}

function renderOption(ref: OptionRef): string {
  return ref.value === undefined ? flagOf(ref.key) : `${flagOf(ref.key)} ${ref.value}`;
}

function renderOperation(ref: OperationRef): string {
  const flags = Object.entries(ref.options ?? {}).map(([key, value]) =>
    value === true ? flagOf(key) : `${flagOf(key)} ${value}`,
  );
  return `\`${[COMMAND_OF[ref.operation], ref.target, ...flags].filter(Boolean).join(' ')}\``;
}

export const CLI_NAMING: Naming = { option: renderOption, operation: renderOperation };
