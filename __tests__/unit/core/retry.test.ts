/**
 * The one retry policy (src/core/retry.ts) that the registry client and archives over HTTP share:
 * which failures are retried, how long it waits, and that it stops.
 */
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  HttpStatusError,
  isRetryableStatus,
  isTransient,
  withRetries,
} from '../../../src/core/retry.js';

const FAST = { attempts: 3, baseMs: 1, maxMs: 4 };

function coded(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('the retry policy', () => {
  it('retries timeouts, rate limits and server faults, not client errors or 501/505', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 416, 501, 505].some(isRetryableStatus)).toBe(false);
  });

  it('retries resets and timeouts, also wrapped as a cause; never an abort or a plain error', () => {
    expect(isTransient(coded('ECONNRESET'))).toBe(true);
    expect(isTransient(new Error('upload failed', { cause: coded('UND_ERR_SOCKET') }))).toBe(true);
    expect(isTransient(new HttpStatusError(503, 'busy'))).toBe(true);
    expect(isTransient(new HttpStatusError(404, 'gone'))).toBe(false);
    expect(isTransient(new Error('bad gzip'))).toBe(false);
    expect(isTransient(coded('ENOENT'))).toBe(false);
    const aborted = AbortSignal.abort();
    expect(isTransient(coded('ECONNRESET'), aborted)).toBe(false);
  });

  it("waits with jittered exponential backoff, or the server's Retry-After (capped)", () => {
    const policy = { attempts: 5, baseMs: 100, maxMs: 1000 };
    expect(backoffMs(1, policy, '2')).toBe(2000);
    expect(backoffMs(1, policy, '86400')).toBe(3000);
    const date = new Date(Date.now() + 60_000).toUTCString();
    expect(backoffMs(1, policy, date)).toBe(3000);
    for (let attempt = 1; attempt <= 6; attempt++) {
      const ms = backoffMs(attempt, policy);
      const ceiling = Math.min(1000, 100 * 2 ** (attempt - 1));
      expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
      expect(ms).toBeLessThanOrEqual(ceiling);
    }
  });

  it('runs again after a transient failure and says so, up to the attempts of the policy', async () => {
    const retries: string[] = [];
    let calls = 0;
    const value = await withRetries(
      async () => {
        calls++;
        if (calls < 3) throw new HttpStatusError(503, `busy ${calls}`, '0');
        return 'done';
      },
      {
        policy: FAST,
        onRetry: (err, delay, next, attempts) =>
          retries.push(`${(err as Error).message} ${delay} ${next}/${attempts}`),
      },
    );
    expect(value).toBe('done');
    expect(retries).toEqual(['busy 1 0 2/3', 'busy 2 0 3/3']);

    calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw coded('ECONNRESET');
        },
        { policy: FAST },
      ),
    ).rejects.toThrow('ECONNRESET');
    expect(calls).toBe(3);
  });

  it('gives up at once on a failure that says no', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new HttpStatusError(401, 'unauthorized');
        },
        { policy: FAST },
      ),
    ).rejects.toThrow('unauthorized');
    expect(calls).toBe(1);
  });
});
