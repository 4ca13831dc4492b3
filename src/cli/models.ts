import type { Command } from 'commander';
import { bentociHome } from '../core/home.js';
import { openModelStore } from '../core/model-store.js';
import { formatBytes } from '../core/progress.js';
import { formatTag } from '../core/tag.js';
import { saveModelEntry } from '../operations/build.js';
import type { BatchAxis } from '../shared/batch-axes.js';
import { signatureBatching } from '../shared/batching-report.js';
import { registerEntryCommands } from './entries.js';
import { collectBatchAxis, collectLabel } from './options.js';
import { info, printJson } from './output.js';
import { action } from './program.js';

export function registerModelCommands(program: Command): Command {
  const models = program.command('models').description('save, list and manage models in the model store');
  const store = () => openModelStore(bentociHome());

  models
    .command('save')
    .description('copy a model file or directory into the store under a new version')
    .argument('<tag>', 'name or name:version (the version is generated when absent)')
    .argument('<path>', 'model file (.onnx) or directory')
    .option('--label <key=value>', 'label to attach (repeatable)', collectLabel, {})
    .option('--metadata <key=value>', 'metadata to attach (repeatable)', collectLabel, {})
    .option('--module <module>', 'framework module: onnx (default for .onnx) or files')
    .option('--no-batchable', 'mark the model as not batchable (default: read from the model)')
    .option(
      '--batch-axis <name=axis>',
      'batch axis of an input or output, or name=shared for an input the whole batch uses (repeatable; default: from the dimension names)',
      collectBatchAxis,
      {},
    )
    .option('--force', 'replace an existing version with the same tag')
    .option('--json', 'print the saved model as JSON')
    .action(
      action(async (tag: string, path: string, opts: SaveFlags) => {
        const saved = await saveModelEntry(
          {
            tag,
            path,
            label: opts.label,
            metadata: opts.metadata,
            module: opts.module,
            // Commander's default for --no-batchable is true: only false is a choice.
            batchable: opts.batchable === false ? false : undefined,
            batchAxis: opts.batchAxis,
            force: opts.force,
          },
          { home: bentociHome() },
        );
        if (opts.json) printJson({ tag: formatTag(saved.tag), ...saved.info });
        else {
          info(`saved model ${formatTag(saved.tag)} (${formatBytes(saved.info.size)}, ${saved.info.digest})`);
          for (const [method, signature] of Object.entries(saved.info.signatures))
            info(`batching (${method}): ${withFlag(signatureBatching(signature))}`);
          process.stdout.write(`${formatTag(saved.tag)}\n`);
        }
      }),
    );

  registerEntryCommands(models, store, {
    command: 'bentoci models',
    summary: (model) => ({
      batching: Object.fromEntries(
        Object.entries(model.signatures).map(([method, s]) => [method, withFlag(signatureBatching(s))]),
      ),
    }),
  });
  return models;
}

/** The CLI's way to set what the reason asks for. */
const withFlag = (text: string) =>
  text.startsWith('off: saved') || text.startsWith('on:')
    ? text
    : `${text} (bentoci models save --batch-axis NAME=AXIS|shared)`;

interface SaveFlags {
  batchAxis: Record<string, BatchAxis>;
  label: Record<string, string>;
  metadata: Record<string, string>;
  module?: string;
  batchable?: boolean;
  force?: boolean;
  json?: boolean;
}
