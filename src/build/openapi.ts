/**
 * apis/openapi.yaml: OpenAPI 3.1 of the HTTP API the runtime serves for a bento. Each API is a POST
 * whose JSON body is derived from the model signature: nested arrays of the element type, fixed dims
 * as minItems/maxItems, and `{input_name: array}` when the model takes several inputs. The document is
 * built in a fixed key order so the same bento always gives the same bytes.
 */
import { NPZ_TYPE, singleTensorBody } from '../shared/body-formats.js';
import {
  type BentoApi,
  BINARY_DTYPES,
  type Dtype,
  INTEGER_RANGES,
  type TensorSpec,
} from '../shared/schemas.js';

export type JsonSchema = { [key: string]: unknown };

/** One element of a tensor as JSON. `output` adds what the runtime writes that requests may not hold. */
export function elementSchema(dtype: Dtype, direction: 'input' | 'output'): JsonSchema {
  switch (dtype) {
    case 'float16':
    case 'float32':
    case 'float64':
      // The runtime writes NaN and infinities as null.
      return direction === 'output' ? { type: ['number', 'null'] } : { type: 'number' };
    case 'bool':
      return direction === 'output'
        ? { type: 'boolean' }
        : { anyOf: [{ type: 'boolean' }, { enum: [0, 1] }] };
    case 'string':
      return { type: 'string' };
    case 'int64':
    case 'uint64': {
      const [minimum, maximum] = INTEGER_RANGES[dtype]!;
      // Beyond 2^53 a JSON number loses digits, so such values travel as decimal strings.
      const pattern = dtype === 'int64' ? '^-?[0-9]{1,19}$' : '^[0-9]{1,20}$';
      return {
        anyOf: [
          { type: 'integer', minimum, maximum },
          { type: 'string', pattern },
        ],
      };
    }
    default: {
      const [minimum, maximum] = INTEGER_RANGES[dtype]!;
      return { type: 'integer', minimum, maximum };
    }
  }
}

export function formatShape(shape: TensorSpec['shape']): string {
  if (shape === null) return '(any shape)';
  return `[${shape.map((d) => (d === -1 ? '?' : String(d))).join(', ')}]`;
}

/**
 * A tensor as nested arrays: one array level per dim, fixed dims pinned with minItems = maxItems;
 * the batch dim of a batched API needs at least one row.
 */
export function tensorSchema(spec: TensorSpec, direction: 'input' | 'output', batchDim?: number): JsonSchema {
  let schema: JsonSchema = elementSchema(spec.dtype, direction);
  // Unknown rank (the ONNX type has no shape): a scalar or nested arrays of any depth, as the model takes.
  if (spec.shape === null)
    return {
      description: `${spec.dtype} tensor of any shape (unknown rank)`,
      anyOf: [schema, { type: 'array' }],
      'x-bentoci-tensor': { name: spec.name, dtype: spec.dtype, shape: null },
    };
  // Each tensor's own batch axis (a shared input has none); entries without one use the API's.
  const axis =
    batchDim === undefined || spec.batch_axis === 'shared' ? undefined : (spec.batch_axis ?? batchDim);
  for (let i = spec.shape.length - 1; i >= 0; i--) {
    const dim = spec.shape[i]!;
    const fixed = typeof dim === 'number' && dim >= 0;
    schema = {
      type: 'array',
      items: schema,
      ...(fixed ? { minItems: dim, maxItems: dim } : i === axis ? { minItems: 1 } : {}),
    };
  }
  return {
    description: `${spec.dtype} tensor of shape ${formatShape(spec.shape)}`,
    ...schema,
    'x-bentoci-tensor': { name: spec.name, dtype: spec.dtype, shape: spec.shape },
  };
}

/**
 * A JSON body as the runtime reads and writes it (runtime/http/decode.ts, encode.ts): one tensor is
 * its nested array (a request may also name it, `{input_name: array}`); several are an object of
 * named nested arrays.
 */
export function bodySchema(
  specs: readonly TensorSpec[],
  direction: 'input' | 'output',
  batchDim?: number,
  /** An input the runtime fills when a request leaves it out (a padding mask). */
  filled?: string,
): JsonSchema {
  const named: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(specs.map((s) => [s.name, tensorSchema(s, direction, batchDim)])),
    required: specs.filter((s) => s.name !== filled).map((s) => s.name),
    additionalProperties: false,
  };
  if (specs.length !== 1) return named;
  const tensor = tensorSchema(specs[0]!, direction, batchDim);
  return direction === 'input' ? { oneOf: [tensor, named] } : tensor;
}

export interface OpenApiOptions {
  title: string;
  description?: string | undefined;
  apis: readonly BentoApi[];
  /** The batch dim of each API's signature, by API name (batched APIs only). */
  batchDims: Readonly<Record<string, number | undefined>>;
  /** APIs whose `post` hook shapes the response: their response schema is open. */
  postHooks?: ReadonlySet<string>;
  /** APIs whose `pre` hook may reshape the request before it is checked against the signature. */
  preHooks?: ReadonlySet<string>;
}

const errorSchema: JsonSchema = {
  type: 'object',
  properties: { error: { type: 'string', description: 'One line naming the input and what was expected' } },
  required: ['error'],
};

/** Component names: `<api>_input`, `<api>_output` (API names are unique, so these are too). */
function schemaName(api: string, part: 'input' | 'output'): string {
  return `${api}_${part}`;
}

export function openApiDocument(options: OpenApiOptions): JsonSchema {
  const schemas: JsonSchema = {};
  const paths: JsonSchema = {};
  for (const api of options.apis) {
    const batchDim = api.batching.enabled ? options.batchDims[api.name] : undefined;
    const input = schemaName(api.name, 'input');
    const output = schemaName(api.name, 'output');
    schemas[input] = bodySchema(api.input, 'input', batchDim, api.batching.padding?.mask);
    schemas[output] = options.postHooks?.has(api.name)
      ? { description: `Whatever the service's post hook for ${api.name} returns` }
      : bodySchema(api.output, 'output', batchDim);
    const inputs = api.input.map((s) => `${s.name}: ${s.dtype} ${formatShape(s.shape)}`).join('; ');
    paths[api.route] = {
      post: {
        operationId: api.name,
        summary: `Run ${api.model} (${api.method})`,
        description: [
          `Inputs: ${inputs}.`,
          api.batching.enabled
            ? `Requests are batched (up to ${api.batching.max_batch_size} rows, waiting at most ${api.batching.max_latency_ms} ms).`
            : 'Requests are not batched.',
          options.preHooks?.has(api.name) ? "The service's pre hook runs before the input is checked." : '',
        ]
          .filter(Boolean)
          .join(' '),
        'x-bentoci-model': api.model,
        ...(singleTensorBody(api.input.length) ? { parameters: binaryHeaders() } : {}),
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { $ref: `#/components/schemas/${input}` } },
            [NPZ_TYPE]: binary(
              `The inputs as a NumPy .npz archive (np.savez or np.savez_compressed), one array per input named after it: ${api.input.map((s) => s.name).join(', ')}`,
            ),
            ...(singleTensorBody(api.input.length)
              ? {
                  'application/x-npy': binary('The input tensor as a NumPy .npy file'),
                  'application/octet-stream': binary(
                    'The input tensor as raw little-endian bytes (x-tensor-dtype, x-tensor-shape)',
                  ),
                }
              : {}),
          },
        },
        responses: {
          '200': {
            description: 'The model output, in the format the Accept header asks for (JSON by default)',
            content: {
              'application/json': { schema: { $ref: `#/components/schemas/${output}` } },
              ...(options.postHooks?.has(api.name)
                ? {}
                : {
                    [NPZ_TYPE]: binary('The outputs as a NumPy .npz archive, one <output>.npy member each'),
                    ...(singleTensorBody(api.output.length)
                      ? {
                          'application/x-npy': binary('The output tensor as a NumPy .npy file'),
                          'application/octet-stream': binary(
                            'The output tensor as raw little-endian bytes (x-tensor-dtype, x-tensor-shape headers)',
                          ),
                        }
                      : {}),
                  }),
            },
          },
          '400': { description: 'The input does not match the signature', content: jsonError },
          '406': {
            description: 'An Accept type the outputs cannot take (a single-tensor type for several outputs)',
            content: jsonError,
          },
          '413': { description: 'The body is larger than the limit', content: jsonError },
          '415': { description: 'An unsupported content type', content: jsonError },
          '503': { description: 'Overloaded (see Retry-After), not ready, or draining', content: jsonError },
          '504': { description: 'The request timed out', content: jsonError },
        },
      },
    };
  }
  paths['/healthz'] = probe('healthz', 'Liveness: 200 while the process serves HTTP');
  paths['/readyz'] = probe(
    'readyz',
    'Readiness: 200 once every model is loaded and warmed up, 503 before and while draining',
  );
  paths['/metrics'] = {
    get: {
      operationId: 'runtime.metrics',
      summary: 'Prometheus metrics',
      responses: {
        '200': {
          description: 'Metrics in the Prometheus text format',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: options.title,
      ...(options.description ? { description: options.description } : {}),
      version: '1.0.0',
    },
    paths,
    components: { schemas: { ...schemas, Error: errorSchema } },
  };
}

function binary(description: string): JsonSchema {
  return { schema: { type: 'string', format: 'binary', description } };
}

/** The headers that describe a raw octet-stream request body (runtime/tensors/binary.ts). */
function binaryHeaders(): JsonSchema[] {
  const header = (name: string, description: string, schema: JsonSchema) => ({
    name,
    in: 'header',
    required: false,
    description,
    schema,
  });
  return [
    header('x-tensor-dtype', 'With application/octet-stream: the element type', {
      enum: [...BINARY_DTYPES],
    }),
    header('x-tensor-shape', 'With application/octet-stream: the dims, comma-separated (e.g. 2,4)', {
      type: 'string',
    }),
  ];
}

const jsonError = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/** Operation ids of the runtime's own routes carry a prefix no API name takes in practice. */
function probe(name: string, summary: string): JsonSchema {
  return {
    get: {
      operationId: `runtime.${name}`,
      summary,
      responses: {
        '200': { description: 'OK' },
        '503': { description: 'Not ready' },
      },
    },
  };
}
