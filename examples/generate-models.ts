/** Writes the example ONNX models: `tsx examples/generate-models.ts [OUTDIR]` (default examples/iris/models). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { heavyModel, irisModel, twoInputModel } from './models.js';

const outDir = process.argv[2] ?? join(import.meta.dirname, 'iris', 'models');
const withHeavy = process.argv.includes('--heavy');
await mkdir(outDir, { recursive: true });
const models: Array<[string, Uint8Array]> = [
  ['iris.onnx', irisModel()],
  ['two_inputs.onnx', twoInputModel()],
];
if (withHeavy) models.push(['heavy.onnx', heavyModel()]);
for (const [file, bytes] of models) {
  await writeFile(join(outDir, file), bytes);
  process.stderr.write(`wrote ${join(outDir, file)} (${bytes.length} bytes)\n`);
}
