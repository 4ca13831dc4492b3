import type { Command } from 'commander';
import { bentociHome } from '../core/home.js';
import { runtimeArgs, type ServeFlags } from '../serve/options.js';
import { runRuntime } from '../serve/run.js';
import { resolveServeTarget } from '../serve/target.js';
import { info } from './output.js';
import { action } from './program.js';

export function registerServeCommands(program: Command): Command {
  return program
    .command('serve')
    .description('serve a bento (or a single model at /predict) over HTTP with adaptive batching')
    .argument('<tag>', 'bento tag, else model tag (name[:version]), or a bento/model directory path')
    .option('--port <port>', 'port to listen on (default 3000; 0 picks a free one)')
    .option('--host <host>', 'address to listen on (default 0.0.0.0)')
    .option('--workers <n>', 'inference workers, one ONNX Runtime session each (default cores/2)')
    .option('--threads <n>', 'intra-op threads per worker (default cores/workers)')
    .option('--no-batching', 'run every request alone (default: batching as bento.yaml says)')
    .option('--max-batch-size <rows>', 'rows per batch at most (overrides bento.yaml)')
    .option('--max-latency-ms <ms>', 'latency bound per request (overrides bento.yaml)')
    .option('--provider <provider>', 'execution provider: cpu or cuda (default cpu)')
    .action(
      action(async (tag: string, flags: ServeFlags) => {
        const args = runtimeArgs(flags);
        const target = await resolveServeTarget(bentociHome(), tag);
        info(`serving ${target.kind}${target.tag ? ` ${target.tag}` : ''} from ${target.dir}`);
        const code = await runRuntime(target.dir, args);
        if (code !== 0) process.exitCode = code;
      }),
    );
}
