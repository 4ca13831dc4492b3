/**
 * Splits a template into text and tags, with Jinja's whitespace rules: `{%-`/`-%}` (and the same on
 * `{{ }}` and `{# #}`) strip all whitespace on that side; trimBlocks drops the first newline after a
 * block tag or comment, lstripBlocks the spaces and tabs before one on its line (as BentoML sets
 * Jinja). Then the code inside a tag is split into tokens for the parser.
 */
import { fail, locator, type Position } from './errors.js';

export type Segment =
  | { kind: 'text'; value: string }
  | { kind: 'output' | 'tag'; code: string; offset: number; at: Position };

export interface LexOptions {
  trimBlocks: boolean;
  lstripBlocks: boolean;
}

type Piece =
  | { kind: 'text'; value: string; lineStart: boolean }
  | {
      kind: 'output' | 'tag' | 'comment';
      code: string;
      offset: number;
      stripLeft: boolean;
      stripRight: boolean;
    };

const CLOSE = { output: '}}', tag: '%}', comment: '#}' } as const;
const OPEN: Record<string, 'output' | 'tag' | 'comment'> = { '{': 'output', '%': 'tag', '#': 'comment' };
const RAW = /^\s*raw\s*$/;
const END_RAW = /\{%(-?)\s*endraw\s*(-?)%\}/g;

export function segments(source: string, options: LexOptions): Segment[] {
  const locate = locator(source);
  const pieces = split(source, locate);
  applyWhitespace(pieces, options);
  const out: Segment[] = [];
  for (const piece of pieces) {
    if (piece.kind === 'text') {
      if (piece.value) out.push({ kind: 'text', value: piece.value });
    } else if (piece.kind !== 'comment') {
      out.push({ kind: piece.kind, code: piece.code, offset: piece.offset, at: locate(piece.offset) });
    }
  }
  return out;
}

function split(source: string, locate: (offset: number) => Position): Piece[] {
  const pieces: Piece[] = [];
  const text = (from: number, to: number) => {
    if (to > from)
      pieces.push({
        kind: 'text',
        value: source.slice(from, to),
        lineStart: from === 0 || source[from - 1] === '\n',
      });
  };
  let pos = 0;
  while (pos < source.length) {
    const open = nextOpen(source, pos);
    if (open < 0) break;
    text(pos, open);
    const kind = OPEN[source[open + 1]!]!;
    const stripLeft = source[open + 2] === '-';
    const start = open + 2 + (stripLeft ? 1 : 0);
    const close = findClose(source, start, kind);
    if (close < 0) fail(locate(open), `unclosed ${describe(kind)}: expected "${CLOSE[kind]}"`);
    const stripRight = close > start && source[close - 1] === '-';
    const code = source.slice(start, stripRight ? close - 1 : close);
    pieces.push({ kind, code, offset: start, stripLeft, stripRight });
    pos = close + 2;
    if (kind === 'tag' && RAW.test(code)) {
      // {% raw %}: everything up to {% endraw %} is text, tags and all.
      END_RAW.lastIndex = pos;
      const end = END_RAW.exec(source);
      if (!end) fail(locate(open), 'unclosed {% raw %}: expected {% endraw %}');
      text(pos, end.index);
      pieces.push({
        kind: 'comment',
        code: '',
        offset: end.index,
        stripLeft: end[1] === '-',
        stripRight: end[2] === '-',
      });
      pos = end.index + end[0].length;
    }
  }
  text(pos, source.length);
  return pieces;
}

function nextOpen(source: string, from: number): number {
  for (let i = source.indexOf('{', from); i >= 0; i = source.indexOf('{', i + 1)) {
    if (OPEN[source[i + 1] ?? ''] !== undefined) return i;
  }
  return -1;
}

/** The offset of the closing delimiter; string literals inside code may contain it. */
function findClose(source: string, from: number, kind: 'output' | 'tag' | 'comment'): number {
  const close = CLOSE[kind];
  if (kind === 'comment') return source.indexOf(close, from);
  let quote: string | undefined;
  for (let i = from; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === close[0] && source[i + 1] === close[1]) return i;
  }
  return -1;
}

function applyWhitespace(pieces: Piece[], options: LexOptions): void {
  pieces.forEach((piece, i) => {
    if (piece.kind === 'text') return;
    const statement = piece.kind !== 'output';
    const before = pieces[i - 1];
    if (before?.kind === 'text') {
      if (piece.stripLeft) before.value = before.value.replace(/\s+$/, '');
      else if (statement && options.lstripBlocks) before.value = lstrip(before);
    }
    const after = pieces[i + 1];
    if (after?.kind === 'text') {
      if (piece.stripRight) after.value = after.value.replace(/^\s+/, '');
      else if (statement && options.trimBlocks && /^\r?\n/.test(after.value)) {
        after.value = after.value.replace(/^\r?\n/, '');
        after.lineStart = true;
      }
    }
  });
}

/** The text without the spaces and tabs that begin the tag's line, when nothing else precedes it. */
function lstrip(text: { value: string; lineStart: boolean }): string {
  const newline = text.value.lastIndexOf('\n');
  if (newline < 0 && !text.lineStart) return text.value;
  const head = text.value.slice(0, newline + 1);
  return /^[ \t]*$/.test(text.value.slice(newline + 1)) ? head : text.value;
}

function describe(kind: 'output' | 'tag' | 'comment'): string {
  return kind === 'output' ? '{{ ... }}' : kind === 'tag' ? '{% ... %}' : 'comment';
}

export type TokenType = 'name' | 'string' | 'number' | 'op' | 'end';

export interface Token {
  type: TokenType;
  value: string;
  at: Position;
}

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '=', '(', ')', '[', ']', ',', '.', '|', '~', ':', '-'];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };

/** The tokens of a tag's code; `offset` is where the code starts in the template, for positions. */
export function tokenize(code: string, offset: number, locate: (offset: number) => Position): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    const at = locate(offset + i);
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(code.slice(i))![0];
      tokens.push({ type: 'name', value: name, at });
      i += name.length;
    } else if (/[0-9]/.test(c)) {
      const number = /^[0-9]+(\.[0-9]+)?/.exec(code.slice(i))![0];
      tokens.push({ type: 'number', value: number, at });
      i += number.length;
    } else if (c === '"' || c === "'") {
      let value = '';
      let j = i + 1;
      for (; j < code.length && code[j] !== c; j++) {
        if (code[j] === '\\' && j + 1 < code.length) value += ESCAPES[code[++j]!] ?? `\\${code[j]}`;
        else value += code[j];
      }
      if (j >= code.length) fail(at, 'unterminated string');
      tokens.push({ type: 'string', value, at });
      i = j + 1;
    } else {
      const op = OPERATORS.find((o) => code.startsWith(o, i));
      if (!op) fail(at, `unexpected character "${c}"`);
      tokens.push({ type: 'op', value: op, at });
      i += op.length;
    }
  }
  tokens.push({ type: 'end', value: '', at: locate(offset + code.length) });
  return tokens;
}
