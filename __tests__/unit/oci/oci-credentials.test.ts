import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BentoError, UsageError } from '../../../src/core/errors.js';
import { option } from '../../../src/core/user-text.js';
import { resolveCredentials } from '../../../src/oci/credentials.js';

let dir: string;
let helperDir: string;
const originalPath = process.env['PATH'];

/** A real credential helper program on PATH, answering as docker-credential-* helpers do. */
async function writeHelper(name: string, script: string): Promise<void> {
  const path = join(helperDir, `docker-credential-${name}`);
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
}

async function dockerConfig(name: string, config: unknown): Promise<string> {
  const configDir = join(dir, name);
  await mkdir(configDir, { recursive: true });
  await writeFile(join(configDir, 'config.json'), JSON.stringify(config));
  return configDir;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bentoci-creds-'));
  helperDir = join(dir, 'bin');
  await mkdir(helperDir);
  process.env['PATH'] = `${helperDir}${delimiter}${originalPath}`;
  // Echoes the server URL it was asked about in the user name, so the test sees what Docker would send.
  await writeHelper(
    'fake',
    'read url; printf \'{"ServerURL":"%s","Username":"via-%s","Secret":"helper-secret"}\' "$url" "$url"',
  );
  await writeHelper(
    'token',
    'read url; printf \'{"ServerURL":"%s","Username":"<token>","Secret":"refresh-me"}\' "$url"',
  );
  await writeHelper('empty', 'echo "credentials not found in native keychain"; exit 1');
});

afterAll(async () => {
  process.env['PATH'] = originalPath;
  await rm(dir, { recursive: true, force: true });
});

describe('credential sources, first found wins', () => {
  it('takes flags over the environment over Docker config', async () => {
    const configDir = await dockerConfig('flags', {
      auths: { 'r.example': { auth: Buffer.from('cfg:cfgpw').toString('base64') } },
    });
    const env = { BENTOCI_REGISTRY_USER: 'envuser', BENTOCI_REGISTRY_PASSWORD: 'envpw' };
    const fromFlags = await resolveCredentials('r.example', {
      username: 'u',
      password: 'p',
      env,
      dockerConfigDir: configDir,
    });
    expect(fromFlags).toEqual({ username: 'u', password: 'p', source: option('username') });
    const fromEnv = await resolveCredentials('r.example', { env, dockerConfigDir: configDir });
    expect(fromEnv).toMatchObject({
      username: 'envuser',
      password: 'envpw',
      source: 'BENTOCI_REGISTRY_USER',
    });
    const fromConfig = await resolveCredentials('r.example', { env: {}, dockerConfigDir: configDir });
    expect(fromConfig).toMatchObject({ username: 'cfg', password: 'cfgpw', source: 'docker config.json' });
  });

  it('refuses half a pair instead of silently going anonymous', async () => {
    await expect(resolveCredentials('r.example', { username: 'u', env: {} })).rejects.toThrow(UsageError);
    // The option at fault is the missing half, which a front door names as its flag or input.
    await expect(resolveCredentials('r.example', { username: 'u', env: {} })).rejects.toMatchObject({
      option: 'password',
      message:
        '`username` and a password (`passwordStdin`, `password` or BENTOCI_REGISTRY_PASSWORD) go together',
    });
    await expect(resolveCredentials('r.example', { password: 'p', env: {} })).rejects.toMatchObject({
      option: 'username',
    });
    await expect(resolveCredentials('r.example', { env: { BENTOCI_REGISTRY_USER: 'u' } })).rejects.toThrow(
      /BENTOCI_REGISTRY_USER and BENTOCI_REGISTRY_PASSWORD must both be set/,
    );
  });

  it('runs the credential helper named for the host, and the default store otherwise', async () => {
    const configDir = await dockerConfig('helpers', {
      credHelpers: { 'h.example:5000': 'fake' },
      credsStore: 'fake',
    });
    expect(await resolveCredentials('h.example:5000', { env: {}, dockerConfigDir: configDir })).toEqual({
      username: 'via-h.example:5000',
      password: 'helper-secret',
      source: 'credential helper fake',
    });
    // Docker Hub is asked for under its legacy v1 URL, as Docker does.
    expect(await resolveCredentials('docker.io', { env: {}, dockerConfigDir: configDir })).toMatchObject({
      username: 'via-https://index.docker.io/v1/',
    });
  });

  it('reads a helper identity token, treats "not found" as anonymous, and reports a missing helper', async () => {
    const configDir = await dockerConfig('tokens', {
      credHelpers: { 't.example': 'token', 'e.example': 'empty', 'm.example': 'missing' },
    });
    expect(await resolveCredentials('t.example', { env: {}, dockerConfigDir: configDir })).toEqual({
      identityToken: 'refresh-me',
      source: 'credential helper token',
    });
    expect(await resolveCredentials('e.example', { env: {}, dockerConfigDir: configDir })).toBeUndefined();
    await expect(resolveCredentials('m.example', { env: {}, dockerConfigDir: configDir })).rejects.toThrow(
      /docker-credential-missing \(named in config.json\) is not on PATH/,
    );
  });

  it('uses GITHUB_TOKEN for ghcr.io only, after Docker config', async () => {
    const configDir = await dockerConfig('none', {});
    const env = { GITHUB_TOKEN: 'ghs_abc', GITHUB_ACTOR: 'octocat' };
    expect(await resolveCredentials('ghcr.io', { env, dockerConfigDir: configDir })).toEqual({
      username: 'octocat',
      password: 'ghs_abc',
      source: 'GITHUB_TOKEN',
    });
    expect(await resolveCredentials('quay.io', { env, dockerConfigDir: configDir })).toBeUndefined();
  });

  it('hands every secret found to the mask callback', async () => {
    const masked: string[] = [];
    const configDir = await dockerConfig('mask', { auths: { 'm.example': { identitytoken: 'idtok' } } });
    await resolveCredentials('m.example', {
      env: {},
      dockerConfigDir: configDir,
      mask: (s) => masked.push(s),
    });
    await resolveCredentials('x.example', {
      username: 'u',
      password: 'pw',
      env: {},
      mask: (s) => masked.push(s),
    });
    expect(masked).toEqual(['idtok', 'pw']);
  });

  it('names a damaged config.json', async () => {
    const configDir = join(dir, 'broken');
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, 'config.json'), '{ not json');
    await expect(resolveCredentials('r.example', { env: {}, dockerConfigDir: configDir })).rejects.toThrow(
      BentoError,
    );
    await expect(resolveCredentials('r.example', { env: {}, dockerConfigDir: configDir })).rejects.toThrow(
      /config.json is not valid JSON/,
    );
  });
});
