/** `bentoci serve` flags, validated, and turned into the runtime server's command line. */
import { z } from 'zod';
import { UsageError } from '../core/errors.js';

export interface ServeFlags {
  port?: string;
  host?: string;
  workers?: string;
  threads?: string;
  /** commander's --no-batching sets this false. */
  batching?: boolean;
  maxBatchSize?: string;
  maxLatencyMs?: string;
  provider?: string;
  drainDelayMs?: string;
  drainTimeoutMs?: string;
}

const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const FLAGS: Array<{ key: keyof ServeFlags; flag: string; schema: z.ZodType<unknown>; expected: string }> = [
  { key: 'port', flag: '--port', schema: whole(0, 65535), expected: 'a port number 0-65535' },
  {
    key: 'host',
    flag: '--host',
    schema: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9.:[\]-]+$/),
    expected: 'a host name or address',
  },
  { key: 'workers', flag: '--workers', schema: whole(1, 1024), expected: 'a positive whole number' },
  { key: 'threads', flag: '--threads', schema: whole(1, 1024), expected: 'a positive whole number' },
  {
    key: 'maxBatchSize',
    flag: '--max-batch-size',
    schema: whole(1, 4096),
    expected: 'a whole number 1-4096',
  },
  {
    key: 'maxLatencyMs',
    flag: '--max-latency-ms',
    schema: z.coerce.number().min(0.1).max(600_000),
    expected: 'milliseconds, 0.1-600000',
  },
  { key: 'provider', flag: '--provider', schema: z.enum(['cpu', 'cuda']), expected: 'cpu or cuda' },
  {
    key: 'drainDelayMs',
    flag: '--drain-delay-ms',
    schema: z.coerce.number().int().min(0),
    expected: 'a whole number of milliseconds, 0 or more',
  },
  {
    key: 'drainTimeoutMs',
    flag: '--drain-timeout-ms',
    schema: z.coerce.number().int().positive(),
    expected: 'a positive whole number of milliseconds',
  },
];

/** The runtime's arguments for these flags; throws UsageError naming the first bad flag. */
export function runtimeArgs(flags: ServeFlags): string[] {
  const args: string[] = [];
  for (const { key, flag, schema, expected } of FLAGS) {
    const value = flags[key];
    if (value === undefined) continue;
    const parsed = schema.safeParse(String(value).trim());
    if (!parsed.success) throw new UsageError(`invalid ${flag} "${value}": expected ${expected}`);
    args.push(flag, String(parsed.data));
  }
  if (flags.batching === false) args.push('--no-batching');
  return args;
}
