import { type FileHandle, open } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import { type BatchAxis, resolveBatchAxes, withAxes } from '../shared/batch-axes.js';
import type { Dtype, Signature, TensorSpec } from '../shared/schemas.js';
import { UsageError } from './errors.js';
import { option, say } from './user-text.js';

const { onnx } = onnxProto;

/** ONNX TensorProto.DataType -> the names onnxruntime-node uses. */
const DTYPES: Record<number, Dtype> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};

export interface OnnxSummary {
  irVersion: number;
  opsets: Record<string, string>;
  producer: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/**
 * Reads a model's graph inputs and outputs without loading its weights: the protobuf is walked field
 * by field with positioned reads and the (large) initializers are skipped, so a multi-GiB model costs
 * a few kilobytes of reads.
 */
export async function readOnnxSummary(path: string): Promise<OnnxSummary> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const reader = new FieldReader(file);
    const summary: OnnxSummary = { irVersion: 0, opsets: {}, producer: '', inputs: [], outputs: [] };
    let sawGraph = false;
    for await (const field of reader.fields(0, size)) {
      if (field.number === 1 && field.wire === 0) summary.irVersion = Number(field.value);
      else if (field.number === 2 && field.wire === 2)
        summary.producer = (await reader.bytes(field)).toString('utf8');
      else if (field.number === 8 && field.wire === 2) {
        const opset = onnx.OperatorSetIdProto.decode(await reader.bytes(field));
        summary.opsets[opset.domain || 'ai.onnx'] = String(opset.version);
      } else if (field.number === 7 && field.wire === 2) {
        sawGraph = true;
        await readGraph(reader, field.start, field.start + field.length, summary);
      }
    }
    if (!sawGraph || summary.irVersion === 0) throw new Error('no ONNX graph found');
    return summary;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      say`${path} is not a readable ONNX model (${(err as Error).message}); pass ${option('module', 'files')} to store it as opaque files`,
    );
  } finally {
    await file.close();
  }
}

async function readGraph(
  reader: FieldReader,
  start: number,
  end: number,
  summary: OnnxSummary,
): Promise<void> {
  const initializers = new Set<string>();
  const inputs: TensorSpec[] = [];
  for await (const field of reader.fields(start, end)) {
    if (field.wire !== 2) continue;
    if (field.number === 11 || field.number === 12) {
      const spec = toSpec(onnx.ValueInfoProto.decode(await reader.bytes(field)));
      (field.number === 11 ? inputs : summary.outputs).push(spec);
    } else if (field.number === 5) {
      // TensorProto.name is field 8; its raw_data (field 9) is skipped, not read.
      for await (const inner of reader.fields(field.start, field.start + field.length)) {
        if (inner.number === 8 && inner.wire === 2)
          initializers.add((await reader.bytes(inner)).toString('utf8'));
      }
    }
  }
  // Models from older exporters list their weights among the graph inputs too; those are not inputs.
  summary.inputs = inputs.filter((i) => !initializers.has(i.name));
}

function toSpec(value: onnxProto.onnx.ValueInfoProto): TensorSpec {
  const tensor = value.type?.tensorType;
  if (!tensor)
    throw new Error(`graph value "${value.name}" is not a tensor (sequences and maps are not supported)`);
  const dtype = DTYPES[tensor.elemType ?? 0];
  if (!dtype) throw new Error(`graph value "${value.name}" has unsupported element type ${tensor.elemType}`);
  // No `shape` field at all is an unknown rank, not a scalar: a scalar has a shape with no dims.
  if (!tensor.shape) return { name: value.name, dtype, shape: null };
  const shape = (tensor.shape.dim ?? []).map((d) =>
    d.dimParam
      ? d.dimParam
      : d.dimValue !== null && d.dimValue !== undefined && Number(d.dimValue) > 0
        ? Number(d.dimValue)
        : -1,
  );
  return { name: value.name, dtype, shape };
}

/**
 * The signature of an ONNX model, batchable only where the batch axes are certain (see
 * inferBatchAxes) or given in `explicit`. BentoML's documented default for ONNX is not batchable; we
 * turn batching on when the model's own dimension names say which axis the batch is, because that
 * is where it pays, and leave it off (saying why) when they do not.
 */
export function signatureOf(summary: OnnxSummary, explicit: Record<string, BatchAxis> = {}): Signature {
  const axes = resolveBatchAxes(summary.inputs, summary.outputs, explicit);
  if (!axes.ok) {
    // Axes the user asked for must hold; an inference that failed only leaves batching off.
    if (Object.keys(explicit).length > 0) throw new UsageError(`batch axes: ${axes.reason}`);
    return { batchable: false, batch_dim: 0, inputs: summary.inputs, outputs: summary.outputs };
  }
  const first = Object.values(axes.inputs).find((a): a is number => a !== 'shared') ?? 0;
  return {
    batchable: true,
    batch_dim: first,
    inputs: withAxes(summary.inputs, axes.inputs),
    outputs: withAxes(summary.outputs, axes.outputs),
  };
}

interface Field {
  number: number;
  wire: number;
  /** Varint value (wire 0). */
  value: bigint;
  /** Payload offset and length (wire 2). */
  start: number;
  length: number;
}

class FieldReader {
  private readonly header = Buffer.alloc(20);
  constructor(private readonly file: FileHandle) {}

  async *fields(start: number, end: number): AsyncGenerator<Field> {
    let pos = start;
    while (pos < end) {
      const { bytesRead } = await this.file.read(this.header, 0, Math.min(20, end - pos), pos);
      let offset = 0;
      const tag = readVarint(
        this.header,
        bytesRead,
        () => offset,
        (o) => (offset = o),
      );
      const number = Number(tag >> 3n);
      const wire = Number(tag & 7n);
      const field: Field = { number, wire, value: 0n, start: 0, length: 0 };
      if (wire === 0) {
        field.value = readVarint(
          this.header,
          bytesRead,
          () => offset,
          (o) => (offset = o),
        );
        pos += offset;
      } else if (wire === 1) pos += offset + 8;
      else if (wire === 5) pos += offset + 4;
      else if (wire === 2) {
        field.length = Number(
          readVarint(
            this.header,
            bytesRead,
            () => offset,
            (o) => (offset = o),
          ),
        );
        field.start = pos + offset;
        pos = field.start + field.length;
      } else throw new Error(`unsupported protobuf wire type ${wire} at byte ${pos}`);
      if (pos > end) throw new Error(`truncated field ${number} at byte ${pos}`);
      yield field;
    }
  }

  async bytes(field: Field): Promise<Buffer> {
    const buf = Buffer.alloc(field.length);
    await this.file.read(buf, 0, field.length, field.start);
    return buf;
  }
}

function readVarint(buf: Buffer, length: number, get: () => number, set: (o: number) => void): bigint {
  let result = 0n;
  let shift = 0n;
  let offset = get();
  while (offset < length) {
    const byte = buf[offset++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      set(offset);
      return result;
    }
    shift += 7n;
  }
  throw new Error('truncated varint');
}
