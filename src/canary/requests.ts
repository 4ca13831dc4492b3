/**
 * The requests a canary sends: replayed from a JSONL file of recorded requests (one
 * `{"api"|"route": ..., "body": ...}` per line), or generated from the API signatures with a seeded
 * generator, so two runs of the same commit send the same bytes.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { OptionError, UsageError } from '../core/errors.js';
import { option, say } from '../core/user-text.js';
import type { TensorSpec } from '../shared/schemas.js';

export interface CanaryRequest {
  method: 'GET' | 'POST' | 'PUT';
  route: string;
  body?: string;
  headers: Record<string, string>;
}

/** An API the targets serve: its route and the tensors it takes. */
export interface ApiSpec {
  name: string;
  route: string;
  inputs: TensorSpec[];
}

const routeSchema = z.string().regex(/^\/[A-Za-z0-9_\-/.~%]*(\?[^\s#]*)?$/, 'a path starting with "/"');
const recordSchema = z
  .object({
    api: z.string().min(1).optional(),
    route: routeSchema.optional(),
    method: z.enum(['GET', 'POST', 'PUT']).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.unknown().optional(),
  })
  .strict();

/**
 * Parses a JSONL request file. `api` names an API of the targets (resolved through `apis`); `route` is
 * a path; with neither, the targets' only API is used. A string body is sent as is, anything else as JSON.
 */
export function parseRequestLines(text: string, apis: readonly ApiSpec[], source: string): CanaryRequest[] {
  const out: CanaryRequest[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${source} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(
        `invalid request in ${where}: not JSON (one {"api"|"route", "body"} object per line)`,
      );
    }
    const parsed = recordSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UsageError(
        `invalid request in ${where}: ${issue.path.join('.') || 'record'}: ${issue.message}`,
      );
    }
    const record = parsed.data;
    let route = record.route;
    if (!route && record.api) {
      route = apis.find((a) => a.name === record.api)?.route;
      if (!route) {
        const known = apis.map((a) => a.name).join(', ') || 'none known (give "route" instead)';
        throw new UsageError(
          `invalid request in ${where}: unknown api "${record.api}" (the targets serve: ${known})`,
        );
      }
    }
    if (!route) {
      if (apis.length !== 1)
        throw new UsageError(
          `invalid request in ${where}: add "api" or "route" (the targets serve ${apis.length} APIs)`,
        );
      route = apis[0]!.route;
    }
    const hasBody = record.body !== undefined;
    const body = !hasBody
      ? undefined
      : typeof record.body === 'string'
        ? record.body
        : JSON.stringify(record.body);
    const headers: Record<string, string> = { ...(record.headers ?? {}) };
    if (
      hasBody &&
      typeof record.body !== 'string' &&
      !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
    )
      headers['content-type'] = 'application/json';
    out.push({
      method: record.method ?? (hasBody ? 'POST' : 'GET'),
      route,
      ...(body !== undefined ? { body } : {}),
      headers,
    });
  }
  if (out.length === 0)
    throw new OptionError(
      'requestsFile',
      say`invalid ${option('requestsFile')} "${source}": it holds no requests`,
    );
  return out;
}

export async function loadRequestFile(path: string, apis: readonly ApiSpec[]): Promise<CanaryRequest[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new OptionError(
      'requestsFile',
      say`invalid ${option('requestsFile')} "${path}": the file cannot be read (pass a JSONL file of requests)`,
    );
  }
  return parseRequestLines(text, apis, path);
}

/** Mulberry32: small, fast, and the same sequence on every platform for a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomLeaf(dtype: TensorSpec['dtype'], rand: () => number): number | boolean | string {
  if (dtype.startsWith('float')) return Math.round((rand() * 4 - 2) * 1e4) / 1e4;
  if (dtype === 'bool') return rand() < 0.5;
  if (dtype === 'string') return `s${Math.floor(rand() * 1000)}`;
  if (dtype.startsWith('uint')) return Math.floor(rand() * 10);
  return Math.floor(rand() * 10) - 5 * Number(dtype.startsWith('int') && rand() < 0.3);
}

function randomTensor(spec: TensorSpec, batch: number, rand: () => number): unknown {
  // Dynamic dimensions (a name or -1) get the batch size: in practice they are the batch axis.
  const dims = (spec.shape ?? [batch]).map((d) => (typeof d === 'number' && d >= 0 ? d : batch));
  const build = (depth: number): unknown =>
    depth === dims.length
      ? randomLeaf(spec.dtype, rand)
      : Array.from({ length: dims[depth]! }, () => build(depth + 1));
  return build(0);
}

/**
 * `count` requests over the APIs in turn, each a JSON object of random tensors shaped by the API's
 * input signature. Deterministic for a seed.
 */
export function generateRequests(
  apis: readonly ApiSpec[],
  count: number,
  seed = 1,
  batch = 1,
): CanaryRequest[] {
  if (apis.length === 0)
    throw new UsageError(
      say`cannot generate requests: the targets declare no API signature (pass ${option('requestsFile')})`,
    );
  const rand = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const api = apis[i % apis.length]!;
    const body: Record<string, unknown> = {};
    for (const input of api.inputs) body[input.name] = randomTensor(input, batch, rand);
    return {
      method: 'POST' as const,
      route: api.route,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    };
  });
}
