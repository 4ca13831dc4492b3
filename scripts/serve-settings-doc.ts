/**
 * Writes the settings table of docs/serving.md from src/shared/serve-settings.ts
 * (`npm run docs:settings`); __tests__/unit/shared/serve-settings.test.ts fails when the two drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { SERVE_SETTINGS } from '../src/shared/serve-settings.js';

const START =
  '<!-- settings table: generated from SERVE_SETTINGS; __tests__/unit/shared/serve-settings.test.ts checks it -->';
const END = '<!-- end of settings table -->';

export function settingsTable(): string {
  const rows = SERVE_SETTINGS.map((s) => {
    const flag = s.key === 'batching' ? '--no-batching' : `--${s.flag}`;
    return `| \`${flag}\` | \`${s.env}\` | ${s.batching ? `\`${s.batching}\`` : '-'} | ${s.expected} | ${s.help} |`;
  });
  return [
    '| flag | environment | bentofile `apis[].batching` | values | what it does (default) |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = 'docs/serving.md';
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`${path} has no settings table markers`);
  writeFileSync(path, `${doc.slice(0, start + START.length)}\n${settingsTable()}\n${doc.slice(end)}`);
}
