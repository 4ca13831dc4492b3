import type { Command } from 'commander';
import { openBentoStore } from '../core/bento-store.js';
import { bentociHome } from '../core/home.js';
import { formatBytes } from '../core/progress.js';
import { formatTag } from '../core/tag.js';
import { buildBentoEntry } from '../operations/build.js';
import { registerEntryCommands } from './entries.js';
import { collectLabel } from './options.js';
import { info, printJson } from './output.js';
import { action } from './program.js';

/** `bentoci build` and, as `bentoml list` does, the bento store commands at the top level. */
export function registerBentoCommands(program: Command): void {
  program
    .command('build')
    .description('build a bento from bentofile.yaml into the bento store')
    .argument('[dir]', 'build context (default: the directory of the bentofile)')
    .option('-f, --bentofile <path>', 'bentofile to read (default: <dir>/bentofile.yaml)')
    .option(
      '--version <version>',
      'version of the new bento (default: generated, or derived when SOURCE_DATE_EPOCH is set)',
    )
    .option(
      '--label <key=value>',
      'label to add on top of the bentofile labels (repeatable)',
      collectLabel,
      {},
    )
    .option(
      '--cuda-version <version>',
      "CUDA release over the bentofile's docker.cuda_version (12.4 pins the newest 12.4.x)",
    )
    .option('--json', 'print the bento as JSON')
    .action(
      action(async (dir: string | undefined, opts: BuildFlags) => {
        const { bento, reused } = await buildBentoEntry(
          {
            bentofile: opts.bentofile,
            context: dir,
            version: opts.version,
            label: opts.label,
            cudaVersion: opts.cudaVersion,
          },
          { home: bentociHome(), log: info },
        );
        const tag = formatTag(bento.tag);
        if (opts.json) {
          printJson({ tag, reused, path: bento.dir, ...bento.info });
          return;
        }
        info(
          reused
            ? `reused bento ${tag}: the inputs are unchanged (digest ${bento.info.digest})`
            : `built bento ${tag} (digest ${bento.info.digest}, ${formatBytes(bento.info.size)} in ${bento.info.files.length} files) at ${bento.dir}`,
        );
        process.stdout.write(`${tag}\n`);
      }),
    );

  registerEntryCommands(program, () => openBentoStore(bentociHome()), { command: 'bentoci' });
}

interface BuildFlags {
  bentofile?: string;
  version?: string;
  label: Record<string, string>;
  cudaVersion?: string;
  json?: boolean;
}
