// Preloaded with `node --import` into a benchmarked process: on exit, writes its peak resident set
// size (KiB, from getrusage) to $BENTOCI_BENCH_RSS_FILE, so the number is the process's own peak.
import { writeFileSync } from 'node:fs';

const out = process.env.BENTOCI_BENCH_RSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
