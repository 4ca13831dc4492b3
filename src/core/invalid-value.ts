/**
 * What a parser calls the value it refuses. Most values come from an option (`to`, `platform`): a
 * parser takes the option's key, so the message names it as each front door spells it and the error
 * is an OptionError of that option. A value no option sets (a model's version, a tag inside an
 * archive) is named by a noun: `noun('model version')`.
 */
import { OptionError, UsageError } from './errors.js';
import { type OptionRef, option, say, type UserText } from './user-text.js';

export interface Noun {
  readonly noun: string;
}

/** An option's key, or the noun for a value no option sets. */
export type ValueName = string | Noun;

export function noun(text: string): Noun {
  return { noun: text };
}

/** The name as user text: an option reference, or the noun itself. */
export function nameOf(name: ValueName): OptionRef | string {
  return typeof name === 'string' ? option(name) : name.noun;
}

/** `invalid <name> "<value>": <why>`, an OptionError when an option's value is at fault. */
export function invalidValue(name: ValueName, value: string, why: string | UserText): UsageError {
  const text = say`invalid ${nameOf(name)} "${value}": ${why}`;
  return typeof name === 'string' ? new OptionError(name, text) : new UsageError(text);
}
