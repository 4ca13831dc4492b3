/**
 * Tags: parsing, formatting, the messages for each broken rule, and generated versions that sort by
 * time and never collide, within one process and across processes.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { OptionError, UsageError } from '../../../src/core/errors.js';
import { noun } from '../../../src/core/invalid-value.js';
import { formatTag, newVersion, parseTag, validateTagPart } from '../../../src/core/tag.js';

const run = promisify(execFile);

function parseError(text: string): UsageError {
  try {
    parseTag(text);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    return err as UsageError;
  }
  throw new Error(`parseTag("${text}") did not throw`);
}

describe('parseTag and formatTag', () => {
  it('parses name and name:version; a name alone means latest', () => {
    expect(parseTag('iris')).toEqual({ name: 'iris', version: 'latest' });
    expect(parseTag('iris:1m83w3gcab3fryxk')).toEqual({ name: 'iris', version: '1m83w3gcab3fryxk' });
    expect(parseTag('my-model_v2.1:release-1.0')).toEqual({ name: 'my-model_v2.1', version: 'release-1.0' });
    expect(formatTag(parseTag('iris:v1'))).toBe('iris:v1');
    expect(formatTag(parseTag('iris'))).toBe('iris:latest');
  });

  it('accepts parts of exactly 63 characters', () => {
    const long = 'a'.repeat(63);
    expect(parseTag(`${long}:${long}`)).toEqual({ name: long, version: long });
  });

  it('quotes the tag and names the rule it broke', () => {
    expect(parseError('Iris').message).toBe(
      'invalid tag "Iris": the name has upper-case letters (use lower case)',
    );
    expect(parseError('iris:V1').message).toBe(
      'invalid tag "iris:V1": the version has upper-case letters (use lower case)',
    );
    expect(parseError('a:b:c').message).toBe('invalid tag "a:b:c": expected name[:version] with one \':\'');
    expect(parseError('').message).toBe('invalid tag "": the name is empty');
    expect(parseError('iris:').message).toBe('invalid tag "iris:": the version is empty');
    expect(parseError(`${'a'.repeat(64)}`).message).toBe(
      `invalid tag "${'a'.repeat(64)}": the name is 64 characters long (at most 63)`,
    );
    for (const bad of ['-iris', 'iris-', 'ir is', 'iris/x', '.iris', 'iris:v1_']) {
      expect(parseError(bad).message).toMatch(
        new RegExp(
          `^invalid tag "${bad.replace(/[.]/g, '\\.')}": the (name|version) ".*" must be lower-case letters, digits, '-', '_' or '\\.', starting and ending with a letter or digit$`,
        ),
      );
    }
  });

  it('names the input in messages when asked', () => {
    expect(() => parseTag('Bad', noun('model tag'))).toThrow('invalid model tag "Bad"');
    expect(() => parseTag('Bad', 'from')).toThrow('invalid `from` "Bad"');
    expect(() => parseTag('Bad', 'from')).toThrow(OptionError);
    expect(() => parseTag('Bad')).toThrow('invalid tag "Bad"');
    expect(() => validateTagPart('v 1', 'version', 'version')).toThrow(
      'invalid `version` "v 1": the version "v 1" must be',
    );
    expect(validateTagPart('v1', 'version')).toBe('v1');
  });
});

const CROCKFORD = /^[0-9a-hjkmnp-tv-z]{16}$/;

describe('generated versions', () => {
  it('are 16 lowercase base32 characters, valid tag parts', () => {
    const version = newVersion();
    expect(version).toMatch(CROCKFORD);
    expect(parseTag(`iris:${version}`).version).toBe(version);
  });

  it('sort in the order they were made and never repeat, many in a tight loop', () => {
    const versions = Array.from({ length: 20_000 }, () => newVersion());
    expect(new Set(versions).size).toBe(versions.length);
    expect([...versions].sort()).toEqual(versions);
  });

  it('sort by time even when the clock stands still or steps back', () => {
    const t = Date.now() + 10_000;
    const versions = [newVersion(t), newVersion(t), newVersion(t), newVersion(t - 5000), newVersion(t + 1)];
    expect([...versions].sort()).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('start with the time, so a later millisecond always sorts after', () => {
    const a = newVersion(Date.now() + 20_000);
    const b = newVersion(Date.now() + 20_001);
    expect(a.slice(0, 9) < b.slice(0, 9)).toBe(true);
  });

  it('never collide across processes, and a later process sorts after an earlier one', async () => {
    const script = '__tests__/support/store-versions.ts';
    const generate = async () =>
      (await run(process.execPath, ['--import', 'tsx', script, '5000'])).stdout.trim().split('\n');
    // Two at once: distinct versions even when they share milliseconds.
    const [one, two] = await Promise.all([generate(), generate()]);
    for (const list of [one, two]) {
      expect(list).toHaveLength(5000);
      expect([...list].sort()).toEqual(list);
      for (const v of list) expect(v).toMatch(CROCKFORD);
    }
    expect(new Set([...one, ...two]).size).toBe(10_000);
    // One after the other: every version of the second is newer than every version of the first.
    const first = await generate();
    const second = await generate();
    expect(first.at(-1)! < second[0]!).toBe(true);
  });
});
