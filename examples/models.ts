/**
 * Small ONNX models made in code (no download needed): an MLP classifier like an iris model, a model
 * with two named inputs of different dtypes, a heavier MLP for benchmarks, and a small conv net with
 * dynamic height and width. Weights come from a seeded generator, so every run makes the same bytes.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

/** Mulberry32: a tiny seeded PRNG, enough for reproducible weights (and seeded test noise). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function weights(
  name: string,
  dims: number[],
  rand: () => number,
  scale: number,
): onnxProto.onnx.TensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = (rand() * 2 - 1) * scale;
  return onnx.TensorProto.create({ name, dims, dataType: T.FLOAT, rawData: new Uint8Array(data.buffer) });
}

export type Dim = number | string;
export function valueInfo(name: string, elemType: number, dims: Dim[]): onnxProto.onnx.ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

export function node(
  opType: string,
  input: string[],
  output: string[],
  attribute: onnxProto.onnx.IAttributeProto[] = [],
) {
  return onnx.NodeProto.create({ opType, input, output, attribute });
}

export function encode(graph: onnxProto.onnx.GraphProto): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'bentoci-examples',
    producerVersion: '1',
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

export interface MlpOptions {
  /** Layer widths, input first: [4, 16, 3] is 4 features, one hidden layer of 16, 3 classes. */
  layers: number[];
  seed?: number;
  /** Input and output names. */
  input?: string;
  output?: string;
}

/** An MLP classifier: (MatMul + Add + Relu) per hidden layer, then MatMul + Add + Softmax. */
export function mlpModel(options: MlpOptions): Uint8Array {
  const { layers, seed = 42, input = 'input', output = 'probabilities' } = options;
  if (layers.length < 2) throw new Error('an MLP needs at least an input and an output width');
  const rand = random(seed);
  const nodes: onnxProto.onnx.NodeProto[] = [];
  const initializer: onnxProto.onnx.TensorProto[] = [];
  let current = input;
  for (let i = 0; i < layers.length - 1; i++) {
    const [from, to] = [layers[i]!, layers[i + 1]!];
    const scale = Math.sqrt(2 / from);
    initializer.push(weights(`W${i}`, [from, to], rand, scale), weights(`b${i}`, [to], rand, 0.1));
    nodes.push(node('MatMul', [current, `W${i}`], [`mm${i}`]), node('Add', [`mm${i}`, `b${i}`], [`z${i}`]));
    const last = i === layers.length - 2;
    if (last)
      nodes.push(
        node(
          'Softmax',
          [`z${i}`],
          [output],
          [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }],
        ),
      );
    else nodes.push(node('Relu', [`z${i}`], [`h${i}`]));
    current = `h${i}`;
  }
  return encode(
    onnx.GraphProto.create({
      name: 'mlp',
      node: nodes,
      initializer,
      input: [valueInfo(input, T.FLOAT, ['batch', layers[0]!])],
      output: [valueInfo(output, T.FLOAT, ['batch', layers.at(-1)!])],
    }),
  );
}

/**
 * Two named inputs of different dtypes: `features` float32 [batch, 4] and `bucket` int64 [batch, 1].
 * Output `score` float32 [batch, 1] = sum(features * w) + float(bucket).
 */
export function twoInputModel(seed = 7): Uint8Array {
  const rand = random(seed);
  return encode(
    onnx.GraphProto.create({
      name: 'two_inputs',
      node: [
        node('MatMul', ['features', 'w'], ['weighted']),
        node(
          'Cast',
          ['bucket'],
          ['bucket_f'],
          [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: T.FLOAT }],
        ),
        node('Add', ['weighted', 'bucket_f'], ['score']),
      ],
      initializer: [weights('w', [4, 1], rand, 1)],
      input: [valueInfo('features', T.FLOAT, ['batch', 4]), valueInfo('bucket', T.INT64, ['batch', 1])],
      output: [valueInfo('score', T.FLOAT, ['batch', 1])],
    }),
  );
}

/** The iris-like example classifier: 4 features, 16 hidden, 3 classes. */
export const irisModel = (seed = 42): Uint8Array => mlpModel({ layers: [4, 16, 3], seed });

/** The heavier benchmark model: 512-2048-2048-10 (about 20 MiB of weights). */
export const heavyModel = (seed = 1): Uint8Array => mlpModel({ layers: [512, 2048, 2048, 10], seed });

export interface ConvOptions {
  /** Channels of both conv layers. */
  channels?: number;
  classes?: number;
  /**
   * Pad each 3x3 conv by one pixel (same size out). Without padding each conv needs at least a 3x3
   * input, so the net refuses anything under 5x5: a model that zero-filled 1x1 warm-up cannot run.
   */
  padding?: boolean;
  seed?: number;
}

/**
 * A small image classifier with dynamic height and width: input float32 [batch, 3, height, width]
 * -> Conv 3x3 -> Relu -> Conv 3x3 -> GlobalAveragePool -> Flatten -> Gemm -> logits [batch, classes].
 * Its cost grows with the image area, which a row count alone does not show.
 */
export function convModel(options: ConvOptions = {}): Uint8Array {
  const { channels = 8, classes = 4, padding = false, seed = 11 } = options;
  const rand = random(seed);
  const ints = (name: string, values: number[]) => ({
    name,
    type: onnx.AttributeProto.AttributeType.INTS,
    ints: values,
  });
  const conv = (input: string, weight: string, bias: string, output: string) =>
    node(
      'Conv',
      [input, weight, bias],
      [output],
      [ints('kernel_shape', [3, 3]), ints('pads', padding ? [1, 1, 1, 1] : [0, 0, 0, 0])],
    );
  return encode(
    onnx.GraphProto.create({
      name: 'conv',
      node: [
        conv('input', 'W1', 'b1', 'c1'),
        node('Relu', ['c1'], ['r1']),
        conv('r1', 'W2', 'b2', 'c2'),
        node('GlobalAveragePool', ['c2'], ['pooled']),
        node(
          'Flatten',
          ['pooled'],
          ['flat'],
          [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
        ),
        node('Gemm', ['flat', 'W3', 'b3'], ['logits']),
      ],
      initializer: [
        weights('W1', [channels, 3, 3, 3], rand, Math.sqrt(2 / 27)),
        weights('b1', [channels], rand, 0.1),
        weights('W2', [channels, channels, 3, 3], rand, Math.sqrt(2 / (9 * channels))),
        weights('b2', [channels], rand, 0.1),
        weights('W3', [channels, classes], rand, Math.sqrt(2 / channels)),
        weights('b3', [classes], rand, 0.1),
      ],
      input: [valueInfo('input', T.FLOAT, ['batch', 3, 'height', 'width'])],
      output: [valueInfo('logits', T.FLOAT, ['batch', classes])],
    }),
  );
}
