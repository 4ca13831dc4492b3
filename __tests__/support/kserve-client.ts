/**
 * A KServe v2 client for the binary tensor data extension, written from the spec
 * (shared/interop/kserve/extension_binary_data.md), not from the server's code: the JSON request
 * followed by binary parts, with Inference-Header-Content-Length, and answers split the same way.
 */
import { expect } from 'vitest';

export const HEADER = 'Inference-Header-Content-Length';

export const fp32 = (values: number[]) => Buffer.from(new Float32Array(values).buffer);
export const int64 = (values: bigint[]) => Buffer.from(new BigInt64Array(values).buffer);
/** BOOL: one byte per element, 1 for true. */
export const bools = (values: boolean[]) => Buffer.from(values.map((b) => (b ? 1 : 0)));
export const floats = (blob: Buffer) => Array.from(new Float32Array(new Uint8Array(blob).buffer));

/** BYTES: each element a 4-byte little-endian unsigned length, then its bytes. */
export function bytesElements(values: string[]): Buffer {
  return Buffer.concat(
    values.flatMap((v) => {
      const bytes = Buffer.from(v, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return [length, bytes];
    }),
  );
}

export function readBytesElements(blob: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < blob.length; ) {
    const n = blob.readUInt32LE(at);
    out.push(blob.subarray(at + 4, at + 4 + n).toString('utf8'));
    at += 4 + n;
  }
  return out;
}

export interface OutputJson {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown[];
  parameters?: { binary_data_size?: number };
}

export interface Answer {
  status: number;
  headers: Headers;
  json: { outputs?: OutputJson[]; error?: string; id?: string };
  /** Binary outputs' bytes by name. */
  blobs: Map<string, Buffer>;
}

/** POSTs the JSON request followed by the binary parts, and splits the answer the same way. */
export async function infer(
  url: string,
  request: unknown,
  parts: Buffer[] = [],
  headers: Record<string, string> = {},
): Promise<Answer> {
  const header = Buffer.from(JSON.stringify(request), 'utf8');
  const res = await fetch(url, {
    method: 'POST',
    body: Buffer.concat([header, ...parts]),
    headers: {
      'content-type': 'application/octet-stream',
      ...(parts.length > 0 ? { [HEADER]: String(header.length) } : {}),
      ...headers,
    },
  });
  return splitAnswer(res);
}

export async function splitAnswer(res: Response): Promise<Answer> {
  const raw = Buffer.from(await res.arrayBuffer());
  const lengthHeader = res.headers.get(HEADER);
  const jsonLength = lengthHeader === null ? raw.length : Number(lengthHeader);
  const json = JSON.parse(raw.subarray(0, jsonLength).toString('utf8')) as Answer['json'];
  const blobs = new Map<string, Buffer>();
  let at = jsonLength;
  for (const output of json.outputs ?? []) {
    const size = output.parameters?.binary_data_size;
    if (size === undefined) continue;
    blobs.set(output.name, raw.subarray(at, at + size));
    at += size;
  }
  expect(at, 'the binary outputs fill the body exactly').toBe(raw.length);
  return { status: res.status, headers: res.headers, json, blobs };
}
