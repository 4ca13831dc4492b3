/** A minimal OpenAPI 3.0 description of the APIs, for model entries and bentos built without one. */
import { NPZ_TYPE, singleTensorBody } from '../../src/shared/body-formats.js';
import type { BentoApi, TensorSpec } from '../../src/shared/schemas.js';

function tensorSchema(spec: TensorSpec): Record<string, unknown> {
  let schema: Record<string, unknown> = {
    type: spec.dtype.startsWith('float')
      ? 'number'
      : spec.dtype === 'bool'
        ? 'boolean'
        : spec.dtype === 'string'
          ? 'string'
          : 'integer',
  };
  // Unknown rank: a scalar or nested arrays of any depth; the model judges the shape.
  if (spec.shape === null)
    return { anyOf: [schema, { type: 'array' }], description: `${spec.dtype} of any shape (unknown rank)` };
  for (let i = spec.shape.length - 1; i >= 0; i--) {
    const d = spec.shape[i];
    schema = {
      type: 'array',
      items: schema,
      ...(typeof d === 'number' && d >= 0 ? { minItems: d, maxItems: d } : {}),
    };
  }
  return { ...schema, description: `${spec.dtype} [${spec.shape.join(', ')}]` };
}

function bodySchema(specs: readonly TensorSpec[]): Record<string, unknown> {
  const object = {
    type: 'object',
    required: specs.map((s) => s.name),
    properties: Object.fromEntries(specs.map((s) => [s.name, tensorSchema(s)])),
  };
  return specs.length === 1 ? { oneOf: [tensorSchema(specs[0]!), object] } : object;
}

const binaryBody = { schema: { type: 'string', format: 'binary' } };

/** .npz for any count of tensors; .npy and raw octet-stream only for one. */
function binaryTypes(count: number): Record<string, unknown> {
  return {
    [NPZ_TYPE]: binaryBody,
    ...(singleTensorBody(count)
      ? { 'application/octet-stream': binaryBody, 'application/x-npy': binaryBody }
      : {}),
  };
}

export function defaultOpenApi(
  name: string,
  version: string,
  apis: readonly BentoApi[],
): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const api of apis) {
    paths[api.route] = {
      post: {
        operationId: api.name,
        summary: `${api.model} (${api.method})`,
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: bodySchema(api.input) },
            ...binaryTypes(api.input.length),
          },
        },
        responses: {
          '200': {
            description: 'model outputs (the format the Accept header asks for, JSON by default)',
            content: {
              'application/json': { schema: bodySchema(api.output) },
              ...binaryTypes(api.output.length),
            },
          },
          '400': { description: 'the input does not match the signature' },
          '413': { description: 'the body is larger than the limit' },
          '503': { description: 'overloaded (see Retry-After), not ready, or draining' },
          '504': { description: 'the request timed out' },
        },
      },
    };
  }
  return { openapi: '3.0.3', info: { title: name, version }, paths };
}
