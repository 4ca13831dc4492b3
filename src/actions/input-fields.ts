/**
 * Zod schemas over the raw text of one action input (what `core.getInput` returns, already trimmed).
 * Each schema turns the text into a typed value or fails with a message that says what was expected;
 * inputs.ts adds the input's name, so every annotation names the input the user has to fix.
 */
import { z } from 'zod';
import { formatImageName, parseImageName } from '../containerize/image-ref.js';
import { BentoError } from '../core/errors.js';
import { noun } from '../core/invalid-value.js';
import { parseTag, type Tag, validateTagPart } from '../core/tag.js';
import { keyProblem, valueProblem } from '../oci/annotation-keys.js';
import { isDigest, parseImageReference, type Reference, validateTag } from '../oci/reference.js';

/** A schema from an input's text to its value. */
export type Field<T> = z.ZodType<T, string>;

/** The YAML 1.2 core-schema booleans, as `core.getBooleanInput` accepts them. */
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/** Runs `parse` on the text; a thrown error's message becomes the input's issue. */
export function parsed<T>(parse: (text: string) => T): Field<T> {
  return z.string().transform((text, ctx) => {
    try {
      return parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  });
}

/** Free text; empty means absent. */
export function optionalText(): Field<string | undefined> {
  return z.string().transform((text) => (text === '' ? undefined : text));
}

export function requiredText(what = 'a value'): Field<string> {
  return z.string().min(1, `is required: expected ${what}`);
}

export function bool(defaultValue: boolean): Field<boolean> {
  return parsed((text) => {
    if (text === '') return defaultValue;
    if (TRUE.includes(text)) return true;
    if (FALSE.includes(text)) return false;
    throw new Error(`"${text}" is not a boolean: expected true or false`);
  });
}

export function oneOf<const V extends readonly string[]>(
  values: V,
  defaultValue?: V[number],
): Field<V[number] | undefined> {
  return parsed((text) => {
    if (text === '') return defaultValue;
    if ((values as readonly string[]).includes(text)) return text as V[number];
    throw new Error(`"${text}" is not one of: ${values.join(', ')}`);
  });
}

/**
 * A list, one item a line or comma separated, as docker/build-push-action reads `tags`. Blank lines
 * and lines starting with `#` are skipped so a YAML block can carry comments.
 */
export function list(options: { commas?: boolean } = {}): Field<string[]> {
  return z.string().transform((text) =>
    text
      .split(/\r?\n/)
      .flatMap((line) => (options.commas === false ? [line] : line.split(',')))
      .map((item) => item.trim())
      .filter((item) => item !== '' && !item.startsWith('#')),
  );
}

/** `key=value` lines (or comma separated pairs) into a record; a later key wins. */
export function keyValues(): Field<Record<string, string>> {
  return list().transform((items, ctx) => {
    const out: Record<string, string> = {};
    for (const item of items) {
      const eq = item.indexOf('=');
      if (eq <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not key=value` });
        return z.NEVER;
      }
      out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
    }
    return out;
  });
}

/**
 * Image labels or manifest annotations: one `key=value` a line (not comma separated: values are
 * free text, as in docker/build-push-action), keys and values checked by the OCI rules.
 */
export function imageKeyValues(): Field<Record<string, string>> {
  return list({ commas: false }).transform((items, ctx) => {
    const out: Record<string, string> = {};
    for (const item of items) {
      const eq = item.indexOf('=');
      const key = eq < 0 ? item : item.slice(0, eq).trim();
      const problem = eq < 0 ? 'it has no "="' : (keyProblem(key) ?? valueProblem(item.slice(eq + 1).trim()));
      if (problem) {
        ctx.addIssue({
          code: 'custom',
          message: `"${item}": ${problem}; expected one key=value a line, e.g. org.opencontainers.image.licenses=Apache-2.0`,
        });
        return z.NEVER;
      }
      out[key] = item.slice(eq + 1).trim();
    }
    return out;
  });
}

/** Image names `[registry/]name[:tag]` as `docker build -t` takes them (a missing tag is `latest`). */
export function imageNames(): Field<string[]> {
  return list().transform((items, ctx) => {
    try {
      return [...new Set(items.map((item) => formatImageName(parseImageName(item, noun('tag')))))];
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

export function positiveInt(defaultValue?: number): Field<number | undefined> {
  return parsed((text) => {
    if (text === '') return defaultValue;
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`"${text}" is not a positive whole number`);
    return n;
  });
}

/** One part of a tag (a version), validated by BentoML's rule. */
export function optionalTagPart(what: 'name' | 'version'): Field<string | undefined> {
  return parsed((text) => (text === '' ? undefined : validateTagPart(text, what, noun(what))));
}

/** A store tag `name[:version]`; the tag parser's own message says what is wrong. */
export function tag(): Field<Tag> {
  return parsed((text) => {
    if (text === '') throw new Error('is required: expected name[:version]');
    return parseTag(text, noun('tag'));
  });
}

export function optionalTag(): Field<Tag | undefined> {
  return parsed((text) => (text === '' ? undefined : parseTag(text, noun('tag'))));
}

/** A content digest `sha256:<64 hex>`. */
export function optionalDigest(): Field<string | undefined> {
  return parsed((text) => {
    if (text === '') return undefined;
    if (!isDigest(text)) throw new Error(`"${text}" is not sha256:<64 lowercase hex digits>`);
    return text;
  });
}

/** A reference to an entry to fetch: `name[:version][@sha256:<hex>]`. */
export interface EntryRef {
  tag: Tag;
  /** `name` alone asks for the newest one. */
  explicitVersion: boolean;
  digest?: string;
}

export function parseEntryRef(text: string): EntryRef {
  const at = text.indexOf('@');
  const tagText = at >= 0 ? text.slice(0, at) : text;
  const digest = at >= 0 ? text.slice(at + 1) : undefined;
  if (digest !== undefined && !isDigest(digest)) {
    throw new BentoError(`"${text}": the digest after '@' must be sha256:<64 lowercase hex digits>`);
  }
  return {
    tag: parseTag(tagText, noun('tag')),
    explicitVersion: tagText.includes(':'),
    ...(digest ? { digest } : {}),
  };
}

export function entryRefs(): Field<EntryRef[]> {
  return list().transform((items, ctx) => {
    const out: EntryRef[] = [];
    for (const item of items) {
      try {
        out.push(parseEntryRef(item));
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }
    return out;
  });
}

/** `name[:version]=path` lines: models to save from files before a build. */
export interface ModelSource {
  tag: string;
  path: string;
}

export function modelSources(): Field<ModelSource[]> {
  return list({ commas: false }).transform((items, ctx) => {
    const out: ModelSource[] = [];
    for (const item of items) {
      const eq = item.indexOf('=');
      const tagText = eq > 0 ? item.slice(0, eq).trim() : '';
      const path = eq > 0 ? item.slice(eq + 1).trim() : '';
      try {
        if (!tagText || !path) throw new Error(`"${item}" is not name[:version]=path`);
        parseTag(tagText, noun('tag'));
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
      out.push({ tag: tagText, path });
    }
    return out;
  });
}

/** Where an image is pushed: a tag of the target repository, or a whole `host/repo:tag` reference. */
export interface PushTag {
  tag: string;
  /** Set when the item named its repository; the entry checks it is the image's target. */
  repository?: Reference;
}

/**
 * Tags to push an image under: `1.4.2`, `latest` (an item without '/'), or full references
 * `host/repo:tag` as docker/build-push-action's `tags` are written.
 */
export function pushTags(): Field<PushTag[]> {
  return list().transform((items, ctx) => {
    const out: PushTag[] = [];
    for (const item of items) {
      try {
        if (!item.includes('/')) {
          out.push({ tag: validateTag(item, noun('tag')) });
          continue;
        }
        const ref = parseImageReference(item, noun('tag'));
        if (ref.digest || !ref.tag) throw new Error(`"${item}" names no tag: expected host/repository:tag`);
        out.push({ tag: ref.tag, repository: { registry: ref.registry, repository: ref.repository } });
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }
    return out;
  });
}
