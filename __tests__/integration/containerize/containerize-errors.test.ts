/**
 * `bentoci containerize` as users run it, and how it fails: a failing step names the step and its
 * output, a base image that cannot be pulled is named, a missing engine says how to start one, and
 * none of them leaves the requested tag behind. Needs a Docker engine (fails under CI=true without one).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerize } from '../../../src/containerize/containerize.js';
import { BentoError } from '../../../src/core/errors.js';
import {
  type ContainerizeFixture,
  exampleBento,
  imageExists,
  REPO,
  setUpContainerize,
} from '../../support/containerize-fixture.js';
import { missingDocker } from '../../support/docker.js';

const skip = missingDocker();
const TSX = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI from source (the dist bundle may predate this checkout), in its own process. */
function cli(fx: ContainerizeFixture, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', TSX, join(REPO, 'src/cli.ts'), ...args], {
    cwd: fx.work,
    env: {
      ...process.env,
      BENTOCI_HOME: fx.home,
      BENTOCI_RUNTIME_BUNDLE: fx.runtime.bundleDir,
      BENTOCI_DEBUG: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe.skipIf(skip)(`bentoci containerize${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let fx: ContainerizeFixture;
  let tag: string;

  beforeAll(async () => {
    fx = await setUpContainerize();
    const bento = await exampleBento(fx, { name: 'iris' });
    tag = `${bento.info.name}:${bento.info.version}`;
  }, 300_000);

  afterAll(async () => {
    await fx?.cleanup();
  }, 60_000);

  it('builds through the CLI with the default image tag and prints the image id, or JSON', async () => {
    const run = await cli(fx, ['containerize', 'iris_classifier', '--label', 'ci.run=42', '--json']);
    expect(run.stderr).toMatch(/^Step \d+\/\d+ : COPY models\/iris\//m);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      id: string;
      tags: string[];
      bento: string;
      dockerfile: string;
    };
    expect(result.tags).toEqual([tag]);
    expect(result.bento).toBe(tag);
    expect(result.dockerfile).toBe('stored');
    const inspect = await fx.docker.getImage(tag).inspect();
    expect(inspect.Id).toBe(result.id);
    expect(inspect.Config.Labels?.['ci.run']).toBe('42');
    await fx.docker.getImage(tag).remove();
  }, 180_000);

  it('prints or writes the Dockerfile without an engine', async () => {
    const printed = await cli(fx, ['containerize', tag, '--dockerfile-only'], {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^FROM node:24-trixie-slim AS bento$/m);
    const written = await cli(fx, ['containerize', tag, '--dockerfile-only', '--output', 'Dockerfile.iris']);
    expect(written.code, written.stderr).toBe(0);
    expect(await readFile(join(fx.work, 'Dockerfile.iris'), 'utf8')).toBe(printed.stdout);
    const misuse = await cli(fx, ['containerize', tag, '--output', 'x']);
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toBe('error: --output writes the Dockerfile: use it with --dockerfile-only\n');
  }, 60_000);

  it('says how to start an engine when none answers', async () => {
    const run = await cli(fx, ['containerize', tag], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: no Docker engine reachable at unix:\/\/\/nonexistent\/docker\.sock \(ENOENT\): start one .*dockerd/,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('refuses a bad --tag before building anything', async () => {
    const run = await cli(fx, ['containerize', tag, '--tag', 'Bad:Name']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error: invalid --tag "Bad:Name": expected \[registry\/\]name\[:tag\] with a lower-case name/,
    );
    expect(run.stderr).not.toMatch(/Step 1/);
  }, 60_000);

  it('names the failing step and its last output, and leaves no tag', async () => {
    const failing = await exampleBento(fx, {
      name: 'iris-failing',
      bentofile: { docker: { distro: 'debian', setup_script: 'setup.sh' } },
      files: {
        'setup.sh': '#!/bin/sh\necho "preparing the image"\necho "no space left for the cache" >&2\nexit 3\n',
      },
    });
    const image = `bentoci-test/failing:${process.pid}`;
    const log: string[] = [];
    const error = await containerize(failing, {
      tags: [image],
      runtime: fx.runtime,
      log: (l) => log.push(l),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BentoError);
    // stdout and stderr of the step interleave in either order.
    const message = (error as Error).message;
    expect(message).toMatch(
      /^image build failed at step \d+\/\d+ \(RUN chmod \+x \/opt\/bentoci\/setup_script && \/opt\/bentoci\/setup_script\): the command exited with code 3; last output: /,
    );
    expect(message).toContain('preparing the image');
    expect(message).toContain('no space left for the cache');
    expect(await imageExists(fx.docker, image)).toBe(false);
    // The image of the step before the failing one (COPY of the script) was this build's alone: removed.
    const failedAt = log.findIndex((l) =>
      /^Step \d+\/\d+ : RUN chmod \+x \/opt\/bentoci\/setup_script/.test(l),
    );
    const before = log
      .slice(0, failedAt)
      .reverse()
      .find((l) => /^ ---> [0-9a-f]{12}$/.test(l));
    expect(before).toBeDefined();
    expect(await imageExists(fx.docker, before!.slice(6))).toBe(false);
    const leftovers = await fx.docker.listContainers({
      all: true,
      filters: { status: ['created', 'exited'] },
    });
    expect(leftovers.filter((c) => c.Command.includes('/opt/bentoci/setup_script'))).toEqual([]);
  }, 180_000);

  it('names a base image that cannot be pulled, and leaves no tag', async () => {
    const missing = 'bentoci-test/no-such-base:1';
    const bento = await exampleBento(fx, {
      name: 'iris-missing-base',
      bentofile: { docker: { distro: 'debian', base_image: missing } },
    });
    const image = `bentoci-test/missing-base:${process.pid}`;
    const error = await containerize(bento, { tags: [image], runtime: fx.runtime }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BentoError);
    expect((error as Error).message).toMatch(
      /^cannot pull base image "bentoci-test\/no-such-base:1" at step \d+\/\d+ \(FROM bentoci-test\/no-such-base:1 AS bento\): .+; pull or load it into the engine first \(docker pull bentoci-test\/no-such-base:1\), or set docker\.base_image/,
    );
    expect(await imageExists(fx.docker, image)).toBe(false);
  }, 180_000);
});
