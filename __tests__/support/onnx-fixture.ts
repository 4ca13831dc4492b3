/**
 * ONNX models for runtime tests: the examples' MLPs and two-input model, plus models the examples do
 * not have (a dynamic trailing dim, an integer op, a slow one), all built in code with onnx-proto.
 */
import onnxProto from 'onnx-proto';

export { heavyModel, irisModel, mlpModel, twoInputModel } from '../../examples/models.js';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

/** A graph input or output: `dims` as numbers, or names for dynamic dims. */
export function valueInfo(
  name: string,
  elemType: number,
  dims: Array<number | string>,
): onnxProto.onnx.ValueInfoProto {
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

/** A model around `graph` (IR 8, opset 17). */
export function encode(graph: onnxProto.onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      producerName: 'bentoci-tests',
      graph,
    }),
  ).finish();
}

/**
 * `x` float32 [batch, n] (n dynamic) -> `total` float32 [batch, 1], the row sums. Requests with
 * different n cannot share a batch, which is what the mixed-shape tests need.
 */
export function rowSumModel(): Uint8Array {
  return encode({
    name: 'row_sum',
    node: [
      onnx.NodeProto.create({
        opType: 'ReduceSum',
        input: ['x', 'axes'],
        output: ['total'],
        attribute: [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
      }),
    ],
    initializer: [onnx.TensorProto.create({ name: 'axes', dims: [1], dataType: T.INT64, int64Data: [1] })],
    input: [valueInfo('x', T.FLOAT, ['batch', 'n'])],
    output: [valueInfo('total', T.FLOAT, ['batch', 1])],
  });
}

/** `ids` int32 [batch, 3] -> `doubled` int32 [batch, 3] (ids + ids): integer dtypes end to end. */
export function doubleIntModel(): Uint8Array {
  return encode({
    name: 'double_int',
    node: [onnx.NodeProto.create({ opType: 'Add', input: ['ids', 'ids'], output: ['doubled'] })],
    input: [valueInfo('ids', T.INT32, ['batch', 3])],
    output: [valueInfo('doubled', T.INT32, ['batch', 3])],
  });
}
