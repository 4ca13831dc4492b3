/**
 * A request refused at a limit tells its client what to do; the operator learns from the log which
 * setting to raise, once a minute per setting at most, however many requests a flood has refused.
 */
import { describe, expect, it } from 'vitest';
import { settingName } from '../../../runtime/config.js';
import { limitNotices } from '../../../runtime/http/limits.js';

describe('runtime: limit notices', () => {
  it('logs the first refusal at a setting, then one line a minute with the count since', () => {
    const lines: Array<{ msg: string; fields: Record<string, unknown> | undefined }> = [];
    let now = 1_000;
    const onLimit = limitNotices(
      { warn: (msg, fields) => lines.push({ msg, fields }) },
      (key) => settingName(key),
      () => now,
    );
    onLimit('maxConnections', 1024);
    for (let i = 0; i < 500; i++) onLimit('maxConnections', 1024);
    onLimit('bodyTimeoutMs', 30_000);
    now += 60_000;
    onLimit('maxConnections', 1024);
    expect(lines.map((l) => l.fields)).toEqual([
      { setting: '--max-connections / BENTOCI_MAX_CONNECTIONS', limit: 1024, refused: 1 },
      { setting: '--body-timeout-ms / BENTOCI_BODY_TIMEOUT_MS', limit: 30_000, refused: 1 },
      { setting: '--max-connections / BENTOCI_MAX_CONNECTIONS', limit: 1024, refused: 501 },
    ]);
    expect(lines[0]!.msg).toMatch(/^requests refused at a limit/);
  });
});
