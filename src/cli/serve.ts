import type { Command } from 'commander';
import { bentociHome } from '../core/home.js';
import { serve } from '../operations/serve.js';
import type { VerifyTarget } from '../sign/policy.js';
import { info } from './output.js';
import { action } from './program.js';
import { addServeFlags, type ServeFlags, serveSettingsOf } from './serve-options.js';
import { type GateFlags, verifyGate, withVerifyGate } from './verify-gate.js';

export function registerServeCommands(program: Command): Command {
  const command = addServeFlags(
    program
      .command('serve')
      .description('serve a bento (or a single model at /predict) over HTTP with adaptive batching')
      .argument('<tag>', 'bento tag, else model tag (name[:version]), or a bento/model directory path'),
  );
  return withVerifyGate(command, 'the bento or model').action(
    action(async (tag: string, flags: ServeFlags & GateFlags) => {
      // The gate is made once the settings passed their check (it may read keys or fetch a trusted root).
      const verify = async (target: () => Promise<VerifyTarget>) => (await verifyGate(flags))(target);
      const code = await serve(
        { home: bentociHome(), target: tag, settings: serveSettingsOf(flags) },
        { verify, log: info },
      );
      if (code !== 0) process.exitCode = code;
    }),
  );
}
