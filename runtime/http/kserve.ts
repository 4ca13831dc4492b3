/**
 * The Open Inference Protocol (KServe v2 REST) over the same APIs: each API is a "model" named after
 * the API, versioned by its model's version. Tensors travel as JSON (`data` flat in row-major order,
 * or nested); the binary-data extension is not implemented. Service hooks do not run here: the
 * protocol carries the model's own tensors.
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
        data: z.unknown(),
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
  outputs?: string[];
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
  const requested = parsed.data.outputs?.map((o) => o.name);
  for (const name of requested ?? []) {
    if (!api.output.some((s) => s.name === name))
      throw badRequest(`output ${quoted(name)} is not an output of model "${api.name}"`);
  }
  return {
    inputs,
    pending: {
      ...(parsed.data.id !== undefined ? { id: parsed.data.id } : {}),
      ...(requested ? { outputs: requested } : {}),
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

export function kserveCodec(api: ApiRuntime): Codec {
  const pending = new WeakMap<IncomingMessage, PendingInfer>();
  const { loaded } = api;
  // Large bodies are parsed and decoded in slices, as on the API routes (see decodeBody).
  const decodeInSlices = async (req: IncomingMessage, body: Buffer) => {
    const json = await parseJsonInSlices(body);
    const checked = checkInfer(json, loaded.api);
    const inputs: TensorMap = {};
    for (const { input, spec } of checked.inputs) {
      const tensor = await decodeJsonTensorInSlices(input.data, spec.dtype, input.name);
      inputs[input.name] = shaped(input, tensor);
    }
    pending.set(req, checked.pending);
    return { inputs, json };
  };
  return {
    hooks: false,
    decode(req, body) {
      if (body.length > SLICED_JSON_BYTES) return decodeInSlices(req, body);
      const json = parseJson(body);
      const checked = checkInfer(json, loaded.api);
      const inputs: TensorMap = {};
      for (const { input, spec } of checked.inputs)
        inputs[input.name] = shaped(input, decodeJsonTensor(input.data, spec.dtype, input.name));
      pending.set(req, checked.pending);
      return { inputs, json };
    },
    encode(result, req) {
      const info = pending.get(req) ?? {};
      const names = info.outputs ?? Object.keys(result.outputs);
      const outputs = names.map((name) => {
        const t = result.outputs[name];
        if (!t) throw new HttpError(500, `the model returned no output "${name}"`);
        const flat: Tensor = { dtype: t.dtype, shape: [t.data.length], data: t.data };
        return `{"name":${JSON.stringify(name)},"datatype":"${DATATYPES[t.dtype]}","shape":${JSON.stringify(t.shape)},"data":${encodeJsonTensor(flat)}}`;
      });
      const id = info.id !== undefined ? `,"id":${JSON.stringify(info.id)}` : '';
      const body = `{"model_name":${JSON.stringify(loaded.api.name)},"model_version":${JSON.stringify(loaded.model.info.version)}${id},"outputs":[${outputs.join(',')}]}`;
      return { body, headers: { 'content-type': 'application/json' } };
    },
  };
}

export function serverMetadata(app: App): string {
  return JSON.stringify({ name: 'bentoci', version: app.service.version, extensions: [] });
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
