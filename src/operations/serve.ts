/**
 * Serving a bento or a model: the target found (a bento, else a model, else a directory) and checked,
 * verified when the front door's gate asks, then the runtime started as a child with the settings of
 * the table in src/shared/serve-settings.ts. Settings arrive by the table's keys (as the CLI's flags
 * are named); each is checked with the table's own rule, and a bad one is an OptionError of its key.
 */
import { z } from 'zod';
import { openBentoStore } from '../core/bento-store.js';
import { OptionError } from '../core/errors.js';
import { openModelStore } from '../core/model-store.js';
import type { EntryInfo, EntryStore } from '../core/store.js';
import { option, say } from '../core/user-text.js';
import { runRuntime } from '../serve/run.js';
import { resolveServeTarget, type ServeTarget } from '../serve/target.js';
import {
  SERVE_SETTINGS,
  type ServeSetting,
  type ServeSettingsGiven,
  type ServeSettingValues,
} from '../shared/serve-settings.js';
import type { VerifyTarget } from '../sign/policy.js';
import { optionIssue, parseOptions } from './options.js';

/** One setting: absent, or a value (text from a flag, or typed) its rule in the table accepts. */
function settingField(setting: ServeSetting) {
  return z.optional(
    z.unknown().transform((value, ctx) => {
      const parsed = setting.schema.safeParse(typeof value === 'string' ? value.trim() : value);
      if (parsed.success) return parsed.data;
      optionIssue(
        ctx,
        setting.key,
        say`invalid ${option(setting.key)} ${JSON.stringify(value)}: expected ${setting.expected}`,
      );
      return z.NEVER;
    }),
  );
}

/** Every setting of the table, by key. */
export const serveSettingsSchema = z.object(
  Object.fromEntries(SERVE_SETTINGS.map((s) => [s.key, settingField(s)])) as Record<
    keyof ServeSettingValues,
    ReturnType<typeof settingField>
  >,
);

/** The settings given, checked; those absent stay absent (the runtime's defaults and bento.yaml decide). */
export function parseServeSettings(
  values: Partial<Record<keyof ServeSettingValues, unknown>>,
): ServeSettingsGiven {
  const parsed = parseOptions(serveSettingsSchema, values) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(parsed).filter(([, value]) => value !== undefined),
  ) as ServeSettingsGiven;
}

export interface ServeRequest {
  home: string;
  /** A bento tag, else a model tag (name[:version]), or a bento or model directory. */
  target: string;
  /** By the table's keys; checked before anything is read. */
  settings: Partial<Record<keyof ServeSettingValues, unknown>>;
}

export interface ServeHooks {
  /** The front door's verify gate, given the entry to check (called once the target is found). */
  verify?: (target: () => Promise<VerifyTarget>) => Promise<unknown>;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** Serves until the runtime exits; resolves its exit code. */
export async function serve(request: ServeRequest, hooks: ServeHooks): Promise<number> {
  const settings = parseServeSettings(request.settings);
  const target = await resolveServeTarget(request.home, request.target);
  await hooks.verify?.(() => verifyTargetOf(request.home, target));
  hooks.log(`serving ${target.kind}${target.tag ? ` ${target.tag}` : ''} from ${target.dir}`);
  return runRuntime(target.dir, settings, hooks.env);
}

/** The store entry behind a serve target; a bare directory has no signature to check. */
async function verifyTargetOf(home: string, target: ServeTarget): Promise<VerifyTarget> {
  if (target.kind === 'directory' || target.tag === undefined)
    throw new OptionError(
      'verify',
      say`${option('verify')} cannot check a directory (${target.dir}): serve a bento or model tag from the store, or pass ${option('verify', 'off')}`,
    );
  const store = (target.kind === 'bento'
    ? openBentoStore(home)
    : openModelStore(home)) as unknown as EntryStore<EntryInfo>;
  return { type: 'entry', store, entry: await store.get(target.tag) };
}
