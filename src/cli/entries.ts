/**
 * The commands that models and bentos share (list, get, delete, verify, export, import), written once
 * over EntryStore.
 */
import type { Command } from 'commander';
import YAML from 'yaml';
import { exportEntry } from '../core/archive/export.js';
import { type ArchiveFormat, archiveExtension, archiveFormatSchema } from '../core/archive/format.js';
import { importArchive } from '../core/archive/import.js';
import { DEFAULT_MAX_IMPORT_BYTES, parseByteSize } from '../core/archive/limits.js';
import { BentoError, IntegrityError, UsageError } from '../core/errors.js';
import { formatBytes } from '../core/progress.js';
import { describeProblems, type EntryInfo, type EntryStore, type Problem } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { collectLabel } from './options.js';
import { info, printJson, printTable } from './output.js';
import { action } from './program.js';

export function registerEntryCommands<I extends EntryInfo & { labels: Record<string, string> }>(
  parent: Command,
  store: () => EntryStore<I>,
  context: {
    command: string;
    /** Fields `get` shows besides the stored info (derived, so never written to the entry). */
    summary?: (info: I) => Record<string, unknown>;
  },
): void {
  parent
    .command('list')
    .description('list stored entries, oldest first')
    .argument('[name]', 'only this name')
    .option('--label <key=value>', 'only entries with this label (repeatable)', collectLabel, {})
    .option('--json', 'print JSON')
    .action(
      action(async (name: string | undefined, opts: { label: Record<string, string>; json?: boolean }) => {
        const entries = await store().list({ ...(name ? { name } : {}), labels: opts.label });
        if (opts.json) {
          printJson(entries.map((e) => ({ tag: formatTag(e.tag), ...e.info })));
          return;
        }
        printTable(
          ['TAG', 'SIZE', 'CREATED', 'LABELS'],
          entries.map((e) => [
            formatTag(e.tag),
            formatBytes(e.info.size),
            e.info.creation_time,
            Object.entries(e.info.labels)
              .map(([k, v]) => `${k}=${v}`)
              .join(','),
          ]),
        );
      }),
    );

  parent
    .command('get')
    .description('show one entry (an exact tag, a unique version prefix, or name for latest)')
    .argument('<tag>', 'name[:version]')
    .option('--json', 'print JSON instead of YAML')
    .action(
      action(async (tag: string, opts: { json?: boolean }) => {
        const entry = await store().get(tag);
        const shown = {
          tag: formatTag(entry.tag),
          path: entry.dir,
          ...context.summary?.(entry.info),
          ...entry.info,
        };
        if (opts.json) printJson(shown);
        else process.stdout.write(YAML.stringify(shown));
      }),
    );

  parent
    .command('delete')
    .description('delete one version (name:version) or every version of a name')
    .argument('<tag>', 'name or name:version')
    .option('--json', 'print the deleted tags as JSON')
    .action(
      action(async (tag: string, opts: { json?: boolean }) => {
        const deleted = await store().delete(tag);
        if (opts.json) printJson(deleted.map(formatTag));
        else for (const t of deleted) info(`deleted ${formatTag(t)}`);
      }),
    );

  parent
    .command('verify')
    .description('check stored files against their recorded sha256 digests')
    .argument('[tag]', 'name[:version]; every entry when absent')
    .option('--json', 'print JSON')
    .action(
      action(async (tag: string | undefined, opts: { json?: boolean }) => {
        const s = store();
        const { entries, unreadable } = tag
          ? { entries: [await s.get(tag)], unreadable: [] }
          : await s.scan();
        const results: Array<{ tag: string; problems: Problem[] }> = [];
        for (const entry of entries)
          results.push({ tag: formatTag(entry.tag), problems: await s.verify(entry) });
        for (const broken of unreadable)
          results.push({
            tag: formatTag(broken),
            problems: [{ path: s.kind.infoFile, problem: 'unreadable' }],
          });
        const damaged = results.filter((r) => r.problems.length > 0);
        if (opts.json) printJson(results);
        else {
          for (const r of results) {
            const detail = describeProblems(r.problems);
            info(r.problems.length ? `${r.tag}: DAMAGED: ${detail}` : `${r.tag}: ok`);
          }
        }
        if (damaged.length > 0) {
          throw new IntegrityError(
            `${damaged.length} of ${results.length} entries are damaged (${damaged.map((d) => d.tag).join(', ')}); delete and save or pull them again (\`${context.command} delete TAG\`)`,
          );
        }
      }),
    );

  const { noun } = store().kind;
  const extension = archiveExtension(noun);
  parent
    .command('export')
    .description(`write a ${noun} to a ${extension} archive (tar, gzip by default) with its digest manifest`)
    .argument('<tag>', 'name[:version]')
    .argument(
      '[destination]',
      `file or directory, - for stdout, or an http(s):// URL (PUT); default ./<name>-<version>${extension}`,
    )
    .option('--format <format>', 'gz (gzip level 6, as tar czf) or tar (uncompressed)', parseFormat, 'gz')
    .option('--json', 'print the result as JSON')
    .action(
      action(
        async (
          tag: string,
          destination: string | undefined,
          opts: { format: ArchiveFormat; json?: boolean },
        ) => {
          if (opts.json && destination === '-') {
            throw new UsageError('--json cannot be used with destination "-": stdout carries the archive');
          }
          const result = await cancellable((signal) =>
            exportEntry(store(), tag, destination, { format: opts.format, signal }),
          );
          const done = `exported ${noun} ${formatTag(result.tag)} to ${result.destination} (${formatBytes(result.bytes)} ${result.format}, ${result.digest})`;
          if (opts.json) printJson({ ...result, tag: formatTag(result.tag) });
          else {
            info(done);
            if (destination !== '-') process.stdout.write(`${result.destination}\n`);
          }
        },
      ),
    );

  parent
    .command('import')
    .description(`read a ${noun} from a ${extension} archive (gzip or plain tar), checking every digest`)
    .argument('<source>', 'archive file, - for stdin, or an http(s):// URL (GET)')
    .option('--force', `replace an existing ${noun} with the same tag but different content`)
    .option(
      '--max-size <size>',
      `refuse an archive whose files add up to more than this (e.g. 512MiB, 1TiB; default ${formatBytes(DEFAULT_MAX_IMPORT_BYTES)})`,
    )
    .option('--json', 'print the result as JSON')
    .action(
      action(async (source: string, opts: { force?: boolean; maxSize?: string; json?: boolean }) => {
        const maxSize =
          opts.maxSize === undefined ? DEFAULT_MAX_IMPORT_BYTES : parseByteSize(opts.maxSize, 'maxSize');
        const result = await cancellable((signal) =>
          importArchive(store(), source, { force: opts.force ?? false, maxSize, signal }),
        );
        const { entry } = result;
        const tag = formatTag(entry.tag);
        if (opts.json) {
          printJson({
            outcome: result.outcome,
            tag,
            source: result.source,
            digest: entry.info.digest,
            size: entry.info.size,
          });
          return;
        }
        if (result.outcome === 'already-present') {
          info(
            `${noun} ${tag} already present with the same content (${entry.info.digest}); nothing imported`,
          );
        } else {
          const verb = result.outcome === 'replaced' ? 'replaced' : 'imported';
          info(
            `${verb} ${noun} ${tag} from ${result.source} (${formatBytes(entry.info.size)}, ${entry.info.digest})`,
          );
        }
        process.stdout.write(`${tag}\n`);
      }),
    );
}

function parseFormat(value: string): ArchiveFormat {
  const parsed = archiveFormatSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`invalid --format "${value}": expected gz or tar`);
  return parsed.data;
}

/** Ctrl-C or SIGTERM cancels the transfer, so staging and partial files are cleaned up on the way out. */
async function cancellable<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => controller.abort(new BentoError(`interrupted by ${name}`));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    return await run(controller.signal);
  } catch (err) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw err;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}
