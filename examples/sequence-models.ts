/**
 * Models whose batching is not one axis for everything: a sequence classifier over token ids of any
 * length with an attention mask (embedding, masked mean, MLP), and a voice-activity-style model with
 * a recurrent state batched on axis 1 and a scalar sample rate shared by the whole batch.
 */
import onnxProto from 'onnx-proto';
import { type Dim, encode, node, random, valueInfo, weights } from './models.js';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;
const INT = onnx.AttributeProto.AttributeType.INT;

function int64s(name: string, values: number[]): onnxProto.onnx.TensorProto {
  return onnx.TensorProto.create({ name, dims: [values.length], dataType: T.INT64, int64Data: values });
}

function scalar(name: string, value: number): onnxProto.onnx.TensorProto {
  return onnx.TensorProto.create({ name, dims: [], dataType: T.FLOAT, floatData: [value] });
}

export interface SequenceOptions {
  vocab?: number;
  /** Embedding width. */
  dim?: number;
  /** Hidden widths of the MLP over the pooled embedding, one Relu layer each. */
  hidden?: number[];
  classes?: number;
  seed?: number;
}

/**
 * input_ids int64 [batch, seq] and attention_mask int64 [batch, seq] -> Gather (embedding) -> mean
 * over the positions the mask marks -> MLP -> logits float32 [batch, classes]; and token_scores
 * float32 [batch, seq], one score per position (masked), so answers can be cut back per request.
 * Padding with any token id and a 0 in the mask leaves both outputs of the real positions unchanged.
 */
export function sequenceModel(options: SequenceOptions = {}): Uint8Array {
  const { vocab = 1000, dim = 64, hidden = [256], classes = 4, seed = 23 } = options;
  const rand = random(seed);
  const mlp: onnxProto.onnx.NodeProto[] = [];
  const mlpWeights: onnxProto.onnx.TensorProto[] = [];
  let current = 'pooled';
  const widths = [dim, ...hidden, classes];
  for (let i = 0; i < widths.length - 1; i++) {
    const [from, to] = [widths[i]!, widths[i + 1]!];
    const last = i === widths.length - 2;
    const out = last ? 'logits' : `h${i}`;
    mlp.push(node('MatMul', [current, `W${i}`], [`mm${i}`]));
    mlp.push(node('Add', [`mm${i}`, `b${i}`], [last ? out : `z${i}`]));
    if (!last) mlp.push(node('Relu', [`z${i}`], [out]));
    mlpWeights.push(
      weights(`W${i}`, [from, to], rand, Math.sqrt(2 / from)),
      weights(`b${i}`, [to], rand, 0.1),
    );
    current = out;
  }
  return encode(
    onnx.GraphProto.create({
      name: 'sequence_classifier',
      node: [
        node('Gather', ['E', 'input_ids'], ['emb']),
        node('Cast', ['attention_mask'], ['maskf'], [{ name: 'to', type: INT, i: T.FLOAT }]),
        node('Unsqueeze', ['maskf', 'axis2'], ['mask3']),
        node('Mul', ['emb', 'mask3'], ['masked']),
        node('ReduceSum', ['masked', 'axis1'], ['summed'], [{ name: 'keepdims', type: INT, i: 0 }]),
        node('ReduceSum', ['maskf', 'axis1'], ['count'], [{ name: 'keepdims', type: INT, i: 1 }]),
        node('Max', ['count', 'one'], ['safe_count']),
        node('Div', ['summed', 'safe_count'], ['pooled']),
        ...mlp,
        node('MatMul', ['masked', 'v'], ['scores3']),
        node('Squeeze', ['scores3', 'axis_last'], ['token_scores']),
      ],
      initializer: [
        weights('E', [vocab, dim], rand, 1),
        ...mlpWeights,
        weights('v', [dim, 1], rand, 1),
        int64s('axis1', [1]),
        int64s('axis2', [2]),
        int64s('axis_last', [-1]),
        scalar('one', 1),
      ],
      input: [
        valueInfo('input_ids', T.INT64, ['batch', 'seq']),
        valueInfo('attention_mask', T.INT64, ['batch', 'seq']),
      ],
      output: [
        valueInfo('logits', T.FLOAT, ['batch', classes]),
        valueInfo('token_scores', T.FLOAT, ['batch', 'seq']),
      ],
    }),
  );
}

export interface StateOptions {
  /** Samples per chunk. */
  samples?: number;
  /** State width. */
  width?: number;
  /** Name the batch dims "batch" (certain), or leave them unnamed (-1) so the axes must be given. */
  named?: boolean;
  seed?: number;
}

/**
 * input float32 [batch, samples], state float32 [2, batch, width], sr int64 [] (a scalar shared by the
 * whole batch) -> output float32 [batch, 1] = sigmoid(input.w + mean_0(state).u) * sr / 16000, and
 * stateN float32 [2, batch, width] = state / 2 + tanh(input.U). Rows are independent, so a batch of
 * requests answers each as if it ran alone.
 */
export function stateModel(options: StateOptions = {}): Uint8Array {
  const { samples = 16, width = 8, named = true, seed = 31 } = options;
  const rand = random(seed);
  const batch: Dim = named ? 'batch' : -1;
  return encode(
    onnx.GraphProto.create({
      name: 'stateful',
      node: [
        node('MatMul', ['input', 'w'], ['xw']),
        node(
          'ReduceMean',
          ['state'],
          ['state_mean'],
          [
            { name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [0] },
            { name: 'keepdims', type: INT, i: 0 },
          ],
        ),
        node('MatMul', ['state_mean', 'u'], ['su']),
        node('Add', ['xw', 'su'], ['z']),
        node('Sigmoid', ['z'], ['p']),
        node('Cast', ['sr'], ['srf'], [{ name: 'to', type: INT, i: T.FLOAT }]),
        node('Div', ['srf', 'sr_ref'], ['sr_scale']),
        node('Mul', ['p', 'sr_scale'], ['output']),
        node('MatMul', ['input', 'U'], ['xu']),
        node('Tanh', ['xu'], ['update']),
        node('Mul', ['state', 'half'], ['kept']),
        node('Add', ['kept', 'update'], ['stateN']),
      ],
      initializer: [
        weights('w', [samples, 1], rand, 0.5),
        weights('u', [width, 1], rand, 0.5),
        weights('U', [samples, width], rand, 0.5),
        scalar('half', 0.5),
        scalar('sr_ref', 16000),
      ],
      input: [
        valueInfo('input', T.FLOAT, [batch, samples]),
        valueInfo('state', T.FLOAT, [2, batch, width]),
        valueInfo('sr', T.INT64, []),
      ],
      output: [valueInfo('output', T.FLOAT, [batch, 1]), valueInfo('stateN', T.FLOAT, [2, batch, width])],
    }),
  );
}
