/**
 * An iris service with hooks: `predict` answers species names instead of raw probabilities, and
 * accepts one flower (4 numbers) as well as a batch of them. `score` calls its model directly.
 * `bentoci build` bundles this module into the bento and reads the APIs declared here.
 */
import type { ServiceDefinition } from '../../../src/build/service-module.js';
import type { TensorMap } from '../../../src/shared/service.js';

const SPECIES = (process.env['IRIS_SPECIES'] ?? 'setosa,versicolor,virginica').split(',');

/** One flower `[f1, f2, f3, f4]` becomes a batch of one `[[f1, f2, f3, f4]]`. */
function asBatch(input: TensorMap): TensorMap {
  const features = input['input'];
  if (features && features.shape.length === 1)
    return { input: { ...features, shape: [1, ...features.shape] } };
  return input;
}

function species(output: TensorMap): { species: string[]; probabilities: number[][] } {
  const probs = output['probabilities']!;
  const [rows = 0, classes = 0] = probs.shape;
  const data = probs.data as Float32Array;
  const result = { species: [] as string[], probabilities: [] as number[][] };
  for (let r = 0; r < rows; r++) {
    const row = Array.from(data.subarray(r * classes, (r + 1) * classes));
    const best = row.indexOf(Math.max(...row));
    result.species.push(SPECIES[best] ?? String(best));
    result.probabilities.push(row);
  }
  return result;
}

export const svc: ServiceDefinition = {
  name: 'iris_hooks',
  description: 'Iris species names from four flower measurements',
  apis: {
    predict: {
      model: 'iris:latest',
      batching: { max_batch_size: 64, max_latency_ms: 10 },
      pre: asBatch,
      post: species,
    },
    score: { model: 'two_inputs:latest' },
  },
};
