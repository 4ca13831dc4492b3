/**
 * The benchmark's model data: float32 weights from a seeded generator, laid out per MiB as 60% dense
 * weights (bell-shaped around zero, as trained weights are) and 40% sparse ones (95% zeros, as in a
 * pruned layer). No block repeats another, so deflate must work for its savings (gzip -6 keeps
 * about 58%), and every run writes the same bytes.
 */
import { createWriteStream } from 'node:fs';

const BLOCK = 8 << 20;
const PATTERN = (1 << 20) / 4;
const DENSE = Math.floor(PATTERN * 0.6);

export async function writeModelData(path: string, bytes: number, seed = 0x2545f491): Promise<void> {
  let state = seed >>> 0 || 1;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  // The sum of four uniforms is close enough to a normal distribution for weights.
  const weight = () => (uniform() + uniform() + uniform() + uniform() - 2) * 0.085;
  const out = createWriteStream(path, { highWaterMark: BLOCK });
  let index = 0;
  for (let written = 0; written < bytes; written += BLOCK) {
    const block = new Float32Array(Math.min(BLOCK, bytes - written) / 4);
    for (let i = 0; i < block.length; i++, index++) {
      block[i] = index % PATTERN < DENSE || uniform() < 0.05 ? weight() : 0;
    }
    if (!out.write(Buffer.from(block.buffer))) {
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}
