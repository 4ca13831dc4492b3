/**
 * `bentoci serve` (the bundled CLI, as users run it): a bento by tag, a model by tag when no bento
 * has the name, and one-line errors for unknown tags, bad flags and an absent CUDA provider.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { post, saveFixtureModel, startServing, tempHome, writeBento } from '../../support/bento-fixture.js';
import { irisModel, twoInputModel } from '../../support/onnx-fixture.js';

/** The bundled CLI; BENTOCI_TEST_CLI points at a build elsewhere. */
const CLI = resolve(process.env['BENTOCI_TEST_CLI'] ?? 'dist/cli.js');

let home: string;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, BENTOCI_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before these tests`);
  home = await tempHome();
  await writeBento(home, {
    name: 'iris-service',
    models: [{ name: 'iris', onnx: irisModel() }],
    apis: [{ name: 'classify', model: 'iris' }],
  });
  await saveFixtureModel(home, { name: 'two', onnx: twoInputModel() });
});

describe('bentoci serve', () => {
  it('serves a bento by tag and drains on SIGTERM', async () => {
    const served = await startServing(
      [
        CLI,
        'serve',
        'iris-service',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--workers',
        '1',
        '--drain-delay-ms',
        '200',
        '--drain-timeout-ms',
        '5000',
      ],
      { BENTOCI_HOME: home },
    );
    const answer = await post(`${served.url}/classify`, [[5.1, 3.5, 1.4, 0.2]]);
    expect(answer.status).toBe(200);
    const probabilities = (answer.json as number[][])[0]!;
    expect(probabilities).toHaveLength(3);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(served.stderr()).toMatch(/serving bento iris-service:\w+ from /);
    expect(await served.stop()).toBe(0);
    expect(served.logs.find((l) => l.msg === 'draining')).toMatchObject({ delay_ms: 200, grace_ms: 5000 });
  });

  it('falls back to the model store and serves the model at /predict', async () => {
    const served = await startServing(
      [CLI, 'serve', 'two', '--host', '127.0.0.1', '--port', '0', '--no-batching'],
      { BENTOCI_HOME: home },
    );
    const answer = await post(`${served.url}/predict`, { features: [[1, 0, 0, 0]], bucket: [[2]] });
    expect(answer.status).toBe(200);
    expect((answer.json as number[][])[0]).toHaveLength(1);
    expect(answer.headers.get('x-batch-requests')).toBe('1');
    expect(await served.stop()).toBe(0);
  });

  it('answers unknown tags, bad flags and an absent CUDA provider with one line and the right exit code', async () => {
    const unknown = await run(['serve', 'nothing-here']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^error: "nothing-here" is neither a bento nor a model in the store .*; list them with `bentoci list` and `bentoci models list`\n$/,
    );
    const port = await run(['serve', 'iris-service', '--port', 'http']);
    expect(port.code).toBe(2);
    expect(port.stderr).toBe('error: invalid --port "http": expected a port number 0-65535\n');
    const delay = await run(['serve', 'iris-service', '--drain-delay-ms', '-1']);
    expect(delay.code).toBe(2);
    expect(delay.stderr).toBe(
      'error: invalid --drain-delay-ms "-1": expected a whole number of milliseconds, 0-86400000\n',
    );
    const longDelay = await run([
      'serve',
      'iris-service',
      '--port',
      '0',
      '--drain-delay-ms',
      '5000',
      '--drain-timeout-ms',
      '1000',
    ]);
    expect(longDelay.code).toBe(1);
    expect(JSON.parse(longDelay.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      level: 'error',
      msg: 'the drain delay (5000 ms) must be shorter than the grace period (1000 ms) that includes it: lower --drain-delay-ms or raise --drain-timeout-ms',
    });
    const provider = await run(['serve', 'iris-service', '--provider', 'tpu']);
    expect(provider.stderr).toBe('error: invalid --provider "tpu": expected cpu or cuda\n');
    const cuda = await run(['serve', 'iris-service', '--port', '0', '--provider', 'cuda']);
    expect(cuda.code).toBe(1);
    // The runtime says why in its structured log (stdout), as it would in a container.
    const last = JSON.parse(cuda.stdout.trim().split('\n').at(-1)!) as { level: string; msg: string };
    expect(last.level).toBe('error');
    expect(last.msg).toMatch(
      /execution provider "cuda" was requested but .* or use --provider cpu \/ BENTOCI_PROVIDER=cpu$/,
    );
  });
});
