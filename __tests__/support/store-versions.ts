/**
 * Prints `count` generated versions, one a line: run as its own process so tests can check that
 * versions from separate processes never collide (`node --import tsx store-versions.ts 5000`).
 */
import { newVersion } from '../../src/core/tag.js';

const count = Number(process.argv[2] ?? '1000');
const out: string[] = [];
for (let i = 0; i < count; i++) out.push(newVersion());
process.stdout.write(`${out.join('\n')}\n`);
