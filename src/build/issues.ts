/**
 * Zod issues as one-line messages that name where the value is, the key and the fix. Shared by
 * bentofile.yaml (positions from the YAML) and service modules (positions are export paths).
 */
import { z } from 'zod';
import { closest } from './suggest.js';
import { formatPath, type KeyPath } from './yaml-source.js';

export interface IssueContext {
  schema: z.ZodType;
  /** `file:line:col` (or another prefix) of the value at `path`, or of its key. */
  locate: (path: KeyPath, options?: { key?: boolean }) => string;
  /** Prefix for key paths in messages, e.g. `apis.predict` inside a module export. */
  root?: KeyPath;
}

/**
 * Replaces a union's issue by the issues of the one branch the value was meant for: the branches
 * that failed only because the value is of another type (a mapping given where a string would do)
 * are dropped, so `service: {apis: [...]}` reports the missing `service.name`, not "invalid input".
 */
export function flattenIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union') return [issue];
    const meant = issue.errors.filter(
      (branch) =>
        !(branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0),
    );
    if (meant.length !== 1) return [issue];
    return flattenIssues(
      meant[0]!.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }) as z.core.$ZodIssue),
    );
  });
}

export function describeIssue(context: IssueContext, issue: z.core.$ZodIssue): string {
  const { locate } = context;
  const path = issue.path;
  const where = formatPath([...(context.root ?? []), ...path]);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0]!;
      const allowed = allowedKeys(context.schema, path);
      const guess = closest(key, allowed);
      const scope = where ? `in ${where}` : 'at the top level';
      const fix = guess ? `did you mean "${guess}"?` : `remove it (allowed keys: ${allowed.join(', ')})`;
      return `${locate([...path, key], { key: true })}: unknown key "${key}" ${scope}: ${fix}`;
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const guess = typeof issue.input === 'string' ? closest(issue.input, values) : undefined;
      const fix = guess ? `did you mean "${guess}"?` : `expected one of ${values.join(', ')}`;
      return `${locate(path)}: ${where}: ${JSON.stringify(issue.input)} is not allowed: ${fix}`;
    }
    case 'invalid_type':
      if (issue.input === undefined)
        return `${locate(path)}: ${where} is missing: add it (${expected(issue.expected)})`;
      return `${locate(path)}: ${where}: expected ${expected(issue.expected)}, got ${describe(issue.input)}${issue.expected === 'string' && isScalar(issue.input) ? ' (quote the value)' : ''}`;
    case 'invalid_union':
      if (where === 'service' && issue.input === undefined) {
        return `${locate(path)}: service is missing: add it (a module "path/to/service.ts:exportName" or a mapping with name and apis)`;
      }
      if (where === 'service') {
        return `${locate(path)}: service: expected a module "path/to/service.ts:exportName" or a mapping with name and apis, got ${describe(issue.input)}`;
      }
      return `${locate(path)}: ${where}: ${issue.message}, got ${describe(issue.input)}`;
    default:
      return `${locate(path)}: ${where}: ${issue.message}${isScalar(issue.input) ? ` (got ${JSON.stringify(issue.input)})` : ''}`;
  }
}

function expected(type: string): string {
  const words: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
    record: 'a mapping',
    function: 'a function',
  };
  return words[type] ?? type;
}

export function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function isScalar(value: unknown): boolean {
  return value !== null && value !== undefined && typeof value !== 'object' && typeof value !== 'function';
}

/** The keys `schema` allows in the mapping at `path`, read from the schema itself. */
export function allowedKeys(schema: z.ZodType, path: KeyPath): string[] {
  let current = unwrap(schema);
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const s of current) {
      if (s instanceof z.ZodObject && typeof segment === 'string' && segment in s.shape) {
        next.push(...unwrap(s.shape[segment] as z.ZodType));
      } else if (s instanceof z.ZodArray && typeof segment === 'number') {
        next.push(...unwrap(s.element as z.ZodType));
      } else if (s instanceof z.ZodRecord && typeof segment === 'string') {
        next.push(...unwrap(s.valueType as z.ZodType));
      }
    }
    current = next;
  }
  return current
    .filter((s) => s instanceof z.ZodObject)
    .flatMap((s) => Object.keys((s as z.ZodObject).shape));
}

function unwrap(schema: z.ZodType): z.ZodType[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault) {
    return unwrap(schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap(unwrap);
  if (schema instanceof z.ZodPipe) return unwrap(schema.in as z.ZodType);
  return [schema];
}
