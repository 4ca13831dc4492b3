/**
 * Messages below the front doors name options by key; the CLI spells them as flags, an action as
 * its inputs, a library caller as the options object's keys. Wrapping a message keeps them.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { actionNaming } from '../../../src/actions/naming.js';
import { CLI_NAMING } from '../../../src/cli/naming.js';
import { BentoError, OptionError, OptionErrors, UsageError } from '../../../src/core/errors.js';
import { operation, option, say, textOf } from '../../../src/core/user-text.js';
import { parseOptions } from '../../../src/operations/options.js';

const ACTION = actionNaming(['registry', 'verify-key', 'release-version', 'sign-key']);

describe('user text', () => {
  const error = new UsageError(
    say`invalid ${option('to')} "x@sha256:1": push to a tag; or pass ${option('force')}`,
  );

  it('renders options as flags, inputs, or keys', () => {
    expect(error.render(CLI_NAMING)).toBe('invalid --to "x@sha256:1": push to a tag; or pass --force');
    expect(error.render(ACTION)).toBe(
      'invalid input "registry" "x@sha256:1": push to a tag; or pass `force`',
    );
    expect(error.message).toBe('invalid `to` "x@sha256:1": push to a tag; or pass `force`');
  });

  it('renders an option with its value, and keys in camelCase as kebab-case flags', () => {
    const text = say`pass ${option('platform', 'linux/arm64')} or raise ${option('releaseTags')}`;
    expect(text.render(CLI_NAMING)).toBe('pass --platform linux/arm64 or raise --release-tags');
  });

  it('renders an operation as a command in the CLI and in words in an action', () => {
    const text = say`sign it with ${operation('sign', 'iris:v1', { key: 'KEY' })}`;
    expect(text.render(CLI_NAMING)).toBe('sign it with `bentoci sign iris:v1 --key KEY`');
    expect(text.render(ACTION)).toBe('sign it with the sign-key or sign-keyless input');
  });

  it('keeps references when a message is wrapped', () => {
    const outer = new BentoError(say`push failed: ${error}`);
    expect(outer.render(CLI_NAMING)).toBe(
      'push failed: invalid --to "x@sha256:1": push to a tag; or pass --force',
    );
    expect(textOf(new Error('plain')).render(CLI_NAMING)).toBe('plain');
    expect(textOf(outer).options()).toEqual(['to', 'force']);
  });
});

describe('parseOptions', () => {
  const schema = z.object({
    releaseTags: z.array(z.enum(['minor', 'major', 'latest'])),
    parallel: z.number().int().min(1),
  });

  it('returns the typed options', () => {
    expect(parseOptions(schema, { releaseTags: ['minor'], parallel: 4 })).toEqual({
      releaseTags: ['minor'],
      parallel: 4,
    });
  });

  it('reports one bad option as an OptionError with its key', () => {
    let caught: unknown;
    try {
      parseOptions(schema, { releaseTags: ['minor'], parallel: 0 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OptionError);
    expect((caught as OptionError).option).toBe('parallel');
    expect((caught as OptionError).render(CLI_NAMING)).toMatch(/^invalid --parallel: /);
  });

  it('reports every bad option at once', () => {
    let caught: unknown;
    try {
      parseOptions(schema, { releaseTags: ['patch'], parallel: 0 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OptionErrors);
    expect((caught as OptionErrors).errors.map((e) => e.option)).toEqual(['releaseTags', 'parallel']);
    expect((caught as OptionErrors).render(CLI_NAMING)).toMatch(
      /^invalid --release-tags: .*; invalid --parallel: /,
    );
  });
});
