import type { Command } from 'commander';
import { openBentoStore } from '../core/bento-store.js';
import { UsageError } from '../core/errors.js';
import { bentociHome } from '../core/home.js';
import { openModelStore } from '../core/model-store.js';
import type { EntryInfo, EntryStore } from '../core/store.js';
import { addServeFlags, runtimeArgs, type ServeFlags } from '../serve/options.js';
import { runRuntime } from '../serve/run.js';
import { resolveServeTarget, type ServeTarget } from '../serve/target.js';
import type { VerifyTarget } from '../sign/policy.js';
import { info } from './output.js';
import { action } from './program.js';
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
      const args = runtimeArgs(flags);
      const gate = await verifyGate(flags);
      const home = bentociHome();
      const target = await resolveServeTarget(home, tag);
      await gate(() => verifyTargetOf(home, target));
      info(`serving ${target.kind}${target.tag ? ` ${target.tag}` : ''} from ${target.dir}`);
      const code = await runRuntime(target.dir, args);
      if (code !== 0) process.exitCode = code;
    }),
  );
}

/** The store entry behind a serve target; a bare directory has no signature to check. */
async function verifyTargetOf(home: string, target: ServeTarget): Promise<VerifyTarget> {
  if (target.kind === 'directory' || target.tag === undefined)
    throw new UsageError(
      `--verify cannot check a directory (${target.dir}): serve a bento or model tag from the store, or pass --verify off`,
    );
  const store = (target.kind === 'bento'
    ? openBentoStore(home)
    : openModelStore(home)) as unknown as EntryStore<EntryInfo>;
  return { type: 'entry', store, entry: await store.get(target.tag) };
}
