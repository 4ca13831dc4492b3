/**
 * One table of serve settings: the runtime, `bentoci serve`, the bentofile and the docs all read it,
 * with one name, range and message each, and bento.yaml's per-API values give way to env and flags.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../runtime/batching/types.js';
import { parseCommandLine, resolveConfig, settingName, USAGE } from '../../../runtime/config.js';
import { Inference } from '../../../runtime/inference.js';
import { createLogger } from '../../../runtime/log.js';
import type { LoadedApi } from '../../../runtime/service/load.js';
import { settingsTable } from '../../../scripts/serve-settings-doc.js';
import { apiConfigSchema } from '../../../src/build/bentofile-schema.js';
import { flagOf } from '../../../src/cli/naming.js';
import { addServeFlags, serveSettingsOf } from '../../../src/cli/serve-options.js';
import { OptionError } from '../../../src/core/errors.js';
import { parseServeSettings } from '../../../src/operations/serve.js';
import { SERVE_SETTINGS, serveSettingArgs } from '../../../src/shared/serve-settings.js';

const noMetrics = { request() {}, batch() {}, reject() {}, missedDeadline() {} };

function inference(batching: Record<string, unknown>, config: ReturnType<typeof resolveConfig>) {
  const loaded = {
    api: {
      name: 'predict',
      route: '/predict',
      model: 'm:1',
      method: 'run',
      batching: { enabled: true, max_batch_size: 8, max_latency_ms: 100, ...batching },
      input: [],
      output: [],
    },
    model: { tag: 'm:1', onnxPath: '/nonexistent.onnx' },
    signature: { batchable: true, batch_dim: 0, inputs: [], outputs: [] },
  } as unknown as LoadedApi;
  return new Inference({
    apis: [loaded],
    config,
    workers: 2,
    runner: { run: () => Promise.reject(new Error('not run in this test')) },
    metrics: noMetrics,
    log: createLogger('error'),
    clock: systemClock,
  });
}

describe('serve settings', () => {
  it('lists every setting in the runtime usage, the docs table and the bentoci serve flags', () => {
    const docs = readFileSync('docs/serving.md', 'utf8');
    expect(docs, 'docs/serving.md: run `npm run docs:settings`').toContain(settingsTable());
    const command = addServeFlags(new Command());
    const cliFlags = command.options.map((o: { long?: string }) => o.long);
    for (const s of SERVE_SETTINGS) {
      const flag = s.key === 'batching' ? '--no-batching' : `--${s.flag}`;
      expect(USAGE, s.flag).toContain(`--${s.flag}`);
      expect(docs, s.flag).toContain(
        `| \`${flag}\` | \`${s.env}\` | ${s.batching ? `\`${s.batching}\`` : '-'} |`,
      );
      if (s.key !== 'logLevel') expect(cliFlags, s.flag).toContain(flag);
      // A setting's key is the CLI's name for it, so a message naming the key names the flag.
      expect(flagOf(s.key)).toBe(`--${s.flag}`);
    }
  });

  it('takes a queue setting from bento.yaml unless the environment or a flag sets it', () => {
    const fromBento = inference({ max_queue_rows: 77 }, resolveConfig({}, {}));
    expect(fromBento.api('predict').queue.maxQueueRows).toBe(77);
    const fromEnv = inference({ max_queue_rows: 77 }, resolveConfig({}, { BENTOCI_MAX_QUEUE_ROWS: '55' }));
    expect(fromEnv.api('predict').queue.maxQueueRows).toBe(55);
    const fromFlag = inference(
      { max_queue_rows: 77 },
      resolveConfig({ 'max-queue-rows': '33' }, { BENTOCI_MAX_QUEUE_ROWS: '55' }),
    );
    expect(fromFlag.api('predict').queue.maxQueueRows).toBe(33);
    // Absent everywhere: 64 full batches per worker.
    expect(inference({}, resolveConfig({}, {})).api('predict').queue.maxQueueRows).toBe(8 * 2 * 64);
  });

  it('gives one message per setting, whichever door it comes in by', () => {
    expect(() => resolveConfig({}, { BENTOCI_LATE_TARGET: '2' })).toThrow(
      'invalid BENTOCI_LATE_TARGET "2": expected a share in (0, 0.5]',
    );
    let refused: unknown;
    try {
      parseServeSettings({ lateTarget: '2' });
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(OptionError);
    expect((refused as OptionError).option).toBe('lateTarget');
    expect((refused as OptionError).render({ option: (r) => flagOf(r.key), operation: () => '' })).toBe(
      'invalid --late-target "2": expected a share in (0, 0.5]',
    );
    const field = apiConfigSchema.safeParse({ name: 'p', model: 'm', batching: { late_target: 2 } });
    expect(field.success).toBe(false);
    expect(field.error?.issues[0]).toMatchObject({
      path: ['batching', 'late_target'],
      message: 'expected a share in (0, 0.5]',
    });
    const given = parseServeSettings(
      serveSettingsOf({ maxQueueRows: '128', latencyQuantile: '0.9', batching: false, port: undefined }),
    );
    expect(given).toEqual({ maxQueueRows: 128, latencyQuantile: 0.9, batching: false });
    const args = serveSettingArgs(given);
    expect(args).toEqual(['--batching', 'false', '--max-queue-rows', '128', '--latency-quantile', '0.9']);
    // What the runtime makes of the arguments the table wrote: the same settings.
    expect(resolveConfig(parseCommandLine(['dir', ...args], {}).flags, {})).toMatchObject(given);
    // Commander's default for --no-batching (true) is no setting.
    expect(serveSettingsOf({ batching: true })).toEqual({});
  });

  it('names a setting for operators as the runtime reads it', () => {
    expect(settingName('maxConnections')).toBe('--max-connections / BENTOCI_MAX_CONNECTIONS');
    expect(settingName('provider', 'cpu')).toBe('--provider cpu / BENTOCI_PROVIDER=cpu');
  });
});
