import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { BentoError, OptionError, UsageError } from '../core/errors.js';
import { type OptionRef, option, say } from '../core/user-text.js';
import { DOCKER_HUB } from './reference.js';

/** What we may present to a registry or its token service. */
export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (Docker's `identitytoken`, or a helper's username `<token>`). */
  identityToken?: string;
  /**
   * Where they came from, for messages (never the secret): the `username` option (each front door
   * names it), "BENTOCI_REGISTRY_USER", "docker config.json", "credential helper X"...
   */
  source: string | OptionRef;
}

export interface CredentialOptions {
  username?: string;
  password?: string;
  env?: NodeJS.ProcessEnv;
  /** Directory of config.json; `$DOCKER_CONFIG` or `~/.docker` when absent. */
  dockerConfigDir?: string;
  /** Called with every secret found, e.g. to hide it in GitHub Actions logs (`core.setSecret`). */
  mask?: (secret: string) => void;
}

const authEntrySchema = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});
const dockerConfigSchema = z.looseObject({
  auths: z.record(z.string(), authEntrySchema).optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});
type DockerConfig = z.infer<typeof dockerConfigSchema>;

const helperReplySchema = z.object({ Username: z.string(), Secret: z.string() });

/**
 * Credentials for `registry`, first found wins: flags, BENTOCI_REGISTRY_USER/_PASSWORD, Docker's
 * config.json (credHelpers, auths, credsStore), GITHUB_TOKEN for ghcr.io. Undefined: anonymous.
 */
export async function resolveCredentials(
  registry: string,
  options: CredentialOptions = {},
): Promise<Credentials | undefined> {
  const env = options.env ?? process.env;
  const found = await find(registry, options, env);
  if (found && options.mask) {
    for (const secret of [found.password, found.identityToken]) if (secret) options.mask(secret);
  }
  return found;
}

async function find(
  registry: string,
  options: CredentialOptions,
  env: NodeJS.ProcessEnv,
): Promise<Credentials | undefined> {
  if (options.username !== undefined || options.password !== undefined) {
    if (!options.username || !options.password) {
      throw new OptionError(
        options.username ? 'password' : 'username',
        say`${option('username')} and a password (${option('passwordStdin')}, ${option('password')} or BENTOCI_REGISTRY_PASSWORD) go together`,
      );
    }
    return { username: options.username, password: options.password, source: option('username') };
  }
  const envUser = env['BENTOCI_REGISTRY_USER'];
  const envPassword = env['BENTOCI_REGISTRY_PASSWORD'];
  if (envUser || envPassword) {
    if (!envUser || !envPassword) {
      throw new UsageError(
        'BENTOCI_REGISTRY_USER and BENTOCI_REGISTRY_PASSWORD must both be set (or neither)',
      );
    }
    return { username: envUser, password: envPassword, source: 'BENTOCI_REGISTRY_USER' };
  }
  const fromDocker = await fromDockerConfig(registry, options.dockerConfigDir ?? dockerConfigDir(env));
  if (fromDocker) return fromDocker;
  const githubToken = env['GITHUB_TOKEN'];
  if (githubToken && (registry === 'ghcr.io' || registry.endsWith('.ghcr.io'))) {
    return { username: env['GITHUB_ACTOR'] || 'bentoci', password: githubToken, source: 'GITHUB_TOKEN' };
  }
  return undefined;
}

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['DOCKER_CONFIG'] || join(homedir(), '.docker');
}

async function readDockerConfig(dir: string): Promise<DockerConfig | undefined> {
  const path = join(dir, 'config.json');
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new BentoError(`Docker config ${path} is not valid JSON: fix it or point DOCKER_CONFIG elsewhere`);
  }
  const parsed = dockerConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(`Docker config ${path} is invalid at ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

/** The keys Docker itself writes for a registry: bare host, URL forms, and Docker Hub's legacy v1 URL. */
function configKeys(registry: string): string[] {
  if (registry === DOCKER_HUB)
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  return [
    registry,
    `https://${registry}`,
    `http://${registry}`,
    `https://${registry}/v1/`,
    `https://${registry}/v2/`,
  ];
}

export async function fromDockerConfig(registry: string, dir: string): Promise<Credentials | undefined> {
  const config = await readDockerConfig(dir);
  if (!config) return undefined;
  const keys = configKeys(registry);
  for (const key of keys) {
    const helper = config.credHelpers?.[key];
    if (helper) return fromHelper(helper, key === registry ? registry : key);
  }
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.identitytoken) return { identityToken: entry.identitytoken, source: 'docker config.json' };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        return {
          username: decoded.slice(0, colon),
          password: decoded.slice(colon + 1),
          source: 'docker config.json',
        };
      }
    }
    if (entry.username && entry.password)
      return { username: entry.username, password: entry.password, source: 'docker config.json' };
  }
  if (config.credsStore) return fromHelper(config.credsStore, registry === DOCKER_HUB ? keys[0]! : registry);
  return undefined;
}

/** Runs `docker-credential-<helper> get` with the server URL on stdin, as Docker does. */
export async function fromHelper(
  helper: string,
  serverUrl: string,
  timeoutMs = 15_000,
): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper))
    throw new BentoError(`Docker credential helper name "${helper}" is invalid`);
  const program = `docker-credential-${helper}`;
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'ignore'], timeout: timeoutMs });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        reject(
          new BentoError(
            `Docker credential helper ${program} (named in config.json) is not on PATH: install it or remove it from config.json`,
          ),
        );
      } else reject(new BentoError(`Docker credential helper ${program} failed: ${err.message}`));
    });
    child.on('close', (exitCode) => resolve({ code: exitCode, stdout: out }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverUrl);
  });
  if (code !== 0) {
    // Helpers answer "credentials not found" with a non-zero exit: that is "anonymous", not a failure.
    if (/not found/i.test(stdout)) return undefined;
    throw new BentoError(`Docker credential helper ${program} exited with ${code} for ${serverUrl}`);
  }
  let parsed: z.infer<typeof helperReplySchema>;
  try {
    parsed = helperReplySchema.parse(JSON.parse(stdout));
  } catch {
    throw new BentoError(
      `Docker credential helper ${program} printed something other than {"Username","Secret"} JSON`,
    );
  }
  if (parsed.Username === '<token>')
    return { identityToken: parsed.Secret, source: `credential helper ${helper}` };
  return { username: parsed.Username, password: parsed.Secret, source: `credential helper ${helper}` };
}
