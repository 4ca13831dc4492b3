/**
 * The Open Inference Protocol (KServe v2 REST) over the same APIs: each API is a "model" named after
 * the API, versioned by its model's version. Tensors travel as JSON (`data` flat in row-major order,
 * or nested) or, per input and per output, as binary data after the JSON (the binary tensor data
 * extension: kserve-binary.ts). Service hooks do not run here: the protocol carries the model's own
 * tensors.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Dtype, TensorSpec } from '../../src/shared/schemas.js';
import type { Tensor, TensorMap } from '../../src/shared/service.js';
import type { App } from '../app-types.js';
import { badRequest, HttpError, quoted } from '../errors.js';
import type { ApiRuntime } from '../inference.js';
import { elementCount } from '../tensors/dtype.js';
import { decodeJsonTensor, decodeJsonTensorInSlices, encodeJsonTensor } from '../tensors/json.js';
import { parseJsonInSlices } from '../tensors/json-parse.js';
import type { Codec } from './call.js';
import { parseJson, SLICED_JSON_BYTES } from './decode.js';
import type { EncodedBody } from './encode.js';
import {
  BINARY_EXTENSION,
  binaryOutput,
  binaryParts,
  binaryTensor,
  booleanParameter,
  HEADER_LENGTH,
  splitBody,
} from './kserve-binary.js';

const DATATYPES: Record<Dtype, string> = {
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float16: 'FP16',
  float32: 'FP32',
  float64: 'FP64',
  string: 'BYTES',
};

const parametersSchema = z.record(z.string(), z.unknown()).optional();
const inferRequestSchema = z.object({
  id: z.string().optional(),
  parameters: parametersSchema,
  inputs: z
    .array(
      z.object({
        name: z.string().min(1),
        shape: z.array(z.number().int().min(0)),
        datatype: z.string().min(1),
        parameters: parametersSchema,
        data: z.unknown().optional(),
      }),
    )
    .min(1),
  outputs: z.array(z.object({ name: z.string().min(1), parameters: parametersSchema })).optional(),
});

/**
 * KServe v2 writes a variable dim as -1 and has no word for an unknown rank; such an input is
 * written [-1] (see docs/serving.md) and a request may send it at any shape.
 */
function specShape(spec: TensorSpec): number[] {
  if (spec.shape === null) return [-1];
  return spec.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
}

export function modelMetadata(api: ApiRuntime): string {
  const { loaded } = api;
  const io = (specs: readonly TensorSpec[]) =>
    specs.map((s) => ({ name: s.name, datatype: DATATYPES[s.dtype], shape: specShape(s) }));
  return JSON.stringify({
    name: loaded.api.name,
    versions: [loaded.model.info.version],
    platform: 'onnxruntime_onnx',
    inputs: io(loaded.api.input),
    outputs: io(loaded.api.output),
  });
}

interface PendingInfer {
  id?: string;
  /** The outputs asked for, each as JSON or binary; undefined: all, as `binaryAll` says. */
  outputs?: Array<{ name: string; binary: boolean }>;
  binaryAll: boolean;
}

type InferInput = z.infer<typeof inferRequestSchema>['inputs'][number];

/** An inference request checked against the model: each input once, known, with its datatype. */
interface CheckedInfer {
  inputs: Array<{ input: InferInput; spec: TensorSpec }>;
  pending: PendingInfer;
}

function checkInfer(json: unknown, api: ApiRuntime['loaded']['api']): CheckedInfer {
  const parsed = inferRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(`invalid inference request: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const inputs: CheckedInfer['inputs'] = [];
  const seen = new Set<string>();
  for (const input of parsed.data.inputs) {
    // Two tensors under one name would leave one of them silently unused.
    if (seen.has(input.name))
      throw badRequest(`input ${quoted(input.name)} appears more than once in inputs: send each input once`);
    seen.add(input.name);
    const spec = api.input.find((s) => s.name === input.name);
    if (!spec)
      throw badRequest(
        `input ${quoted(input.name)} is not an input of model "${api.name}" (inputs: ${api.input.map((s) => s.name).join(', ')})`,
      );
    const expected = DATATYPES[spec.dtype];
    if (input.datatype !== expected)
      throw badRequest(
        `input "${input.name}": expected datatype ${expected}, got ${clipped(input.datatype)}`,
      );
    inputs.push({ input, spec });
  }
  const binaryAll = booleanParameter(parsed.data.parameters, 'binary_data_output', '') ?? false;
  const requested = parsed.data.outputs?.map((o) => {
    if (!api.output.some((s) => s.name === o.name))
      throw badRequest(`output ${quoted(o.name)} is not an output of model "${api.name}"`);
    const binary = booleanParameter(o.parameters, 'binary_data', `output ${quoted(o.name)}: `);
    // Triton's classification extension would answer top-k labels instead of the tensor.
    if (o.parameters?.['classification'] !== undefined)
      throw badRequest(
        `output ${quoted(o.name)}: parameters.classification is not supported; ask for the output tensor`,
      );
    return { name: o.name, binary: binary ?? binaryAll };
  });
  return {
    inputs,
    pending: {
      ...(parsed.data.id !== undefined ? { id: parsed.data.id } : {}),
      ...(requested ? { outputs: requested } : {}),
      binaryAll,
    },
  };
}

/** A datatype as sent: quoted only when it is not a plain word, so `got INT32` reads as before. */
const clipped = (text: string): string => (/^\w{1,16}$/.test(text) ? text : quoted(text));

/** The decoded data under the request's shape, which must hold exactly as many elements. */
function shaped(input: InferInput, tensor: Tensor): Tensor {
  const count = elementCount(input.shape);
  if (tensor.data.length !== count) {
    throw badRequest(
      `input "${input.name}": shape [${input.shape.join(', ')}] needs ${count} elements, data has ${tensor.data.length}`,
    );
  }
  return { ...tensor, shape: input.shape };
}

/** An input's JSON `data`: an input without a binary part must have some. */
function dataOf(input: InferInput): unknown {
  if (input.data !== undefined) return input.data;
  throw badRequest(
    `input ${quoted(input.name)} has no data: send "data", or parameters.binary_data_size with its bytes after the JSON`,
  );
}

export function kserveCodec(api: ApiRuntime): Codec {
  const pending = new WeakMap<IncomingMessage, PendingInfer>();
  const { loaded } = api;
  // A large JSON header is parsed and decoded in slices, as on the API routes (see decodeBody).
  const decodeInSlices = async (req: IncomingMessage, header: Buffer, binary: Buffer | undefined) => {
    const json = await parseJsonInSlices(header);
    const checked = checkInfer(json, loaded.api);
    const parts = binaryParts(
      checked.inputs.map(({ input }) => input),
      binary,
    );
    const inputs: TensorMap = {};
    for (const [i, { input, spec }] of checked.inputs.entries()) {
      inputs[input.name] = parts[i]
        ? binaryTensor(parts[i], spec.dtype, input.datatype, input.shape, input.name)
        : shaped(input, await decodeJsonTensorInSlices(dataOf(input), spec.dtype, input.name));
    }
    pending.set(req, checked.pending);
    return { inputs, json };
  };
  return {
    hooks: false,
    decode(req, body) {
      const encoding = req.headers['content-encoding'];
      if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity')
        throw new HttpError(
          415,
          `Content-Encoding ${quoted(encoding)} is not supported: send the body uncompressed`,
        );
      const { header, binary } = splitBody(req.headers, body);
      if (header.length > SLICED_JSON_BYTES) return decodeInSlices(req, header, binary);
      const json = parseJson(
        header,
        binary ? 'the JSON header (Inference-Header-Content-Length bytes)' : 'the body',
      );
      const checked = checkInfer(json, loaded.api);
      const parts = binaryParts(
        checked.inputs.map(({ input }) => input),
        binary,
      );
      const inputs: TensorMap = {};
      for (const [i, { input, spec }] of checked.inputs.entries()) {
        inputs[input.name] = parts[i]
          ? binaryTensor(parts[i], spec.dtype, input.datatype, input.shape, input.name)
          : shaped(input, decodeJsonTensor(dataOf(input), spec.dtype, input.name));
      }
      pending.set(req, checked.pending);
      return { inputs, json };
    },
    encode(result, req): EncodedBody {
      const info = pending.get(req) ?? { binaryAll: false };
      const wanted =
        info.outputs ?? Object.keys(result.outputs).map((name) => ({ name, binary: info.binaryAll }));
      const blobs: Uint8Array[] = [];
      const outputs = wanted.map(({ name, binary }) => {
        const t = result.outputs[name];
        if (!t) throw new HttpError(500, `the model returned no output "${name}"`);
        const head = `{"name":${JSON.stringify(name)},"datatype":"${DATATYPES[t.dtype]}","shape":${JSON.stringify(t.shape)}`;
        if (binary) {
          const bytes = binaryOutput(t);
          blobs.push(bytes);
          return `${head},"parameters":{"binary_data_size":${bytes.byteLength}}}`;
        }
        const flat: Tensor = { dtype: t.dtype, shape: [t.data.length], data: t.data };
        return `${head},"data":${encodeJsonTensor(flat)}}`;
      });
      const id = info.id !== undefined ? `,"id":${JSON.stringify(info.id)}` : '';
      const json = `{"model_name":${JSON.stringify(loaded.api.name)},"model_version":${JSON.stringify(loaded.model.info.version)}${id},"outputs":[${outputs.join(',')}]}`;
      if (blobs.length === 0) return { body: json, headers: { 'content-type': 'application/json' } };
      const header = Buffer.from(json, 'utf8');
      return {
        body: Buffer.concat([header, ...blobs]),
        headers: { 'content-type': 'application/octet-stream', [HEADER_LENGTH]: String(header.length) },
      };
    },
  };
}

export function serverMetadata(app: App): string {
  return JSON.stringify({ name: 'bentoci', version: app.service.version, extensions: [BINARY_EXTENSION] });
}

/**
 * A percent-encoded path segment (a model name or version in /v2/models/...): a malformed escape
 * like `%E0%A4%A` is the client's mistake, answered 400 rather than a URIError's 500, and so is an
 * escaped control character (`%0A`), which no name has and which would break a one-line error.
 */
export function decodePathSegment(raw: string, what: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw badRequest(
      `the ${what} ${quoted(raw)} in the path is not valid percent-encoding (UTF-8 bytes as %XX)`,
    );
  }
  if (/\p{Cc}/u.test(decoded))
    throw badRequest(`the ${what} ${quoted(raw)} in the path decodes to a control character`);
  return decoded;
}
