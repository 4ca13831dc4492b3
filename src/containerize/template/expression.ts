/**
 * Expressions, with Jinja's precedence: `a if c else b`, or, and, not, comparisons and `in`/`is`,
 * `~`, filters, then `.name` and `[key]` lookups. Nothing here can name host code: the one call is
 * `super()`, names of Object.prototype members are refused, and filters are looked up by name later.
 */
import type { CompareOp, Expr } from './ast.js';
import { fail } from './errors.js';
import type { Token } from './lexer.js';

/** Names that reach JavaScript internals in other engines; refused outright so the error says why. */
const FORBIDDEN = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
const COMPARE = new Set(['==', '!=', '<', '>', '<=', '>=']);
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else']);

export class TokenStream {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.index++;
    return token;
  }

  /** Consumes the token when it is this operator or keyword. */
  accept(value: string): boolean {
    const token = this.peek();
    if ((token.type === 'op' || token.type === 'name') && token.value === value) {
      this.index++;
      return true;
    }
    return false;
  }

  expect(value: string, what = `"${value}"`): Token {
    const token = this.peek();
    if (!this.accept(value)) fail(token.at, `expected ${what}, found ${show(token)}`);
    return token;
  }

  name(what: string): string {
    const token = this.next();
    if (token.type !== 'name') fail(token.at, `expected ${what}, found ${show(token)}`);
    checkName(token);
    return token.value;
  }

  end(what: string): void {
    const token = this.peek();
    if (token.type !== 'end') fail(token.at, `unexpected ${show(token)} after ${what}`);
  }
}

export function show(token: Token): string {
  if (token.type === 'end') return 'the end of the tag';
  if (token.type === 'string') return `string "${token.value}"`;
  return `"${token.value}"`;
}

export function checkName(token: Token): void {
  if (FORBIDDEN.has(token.value))
    fail(token.at, `"${token.value}" is not allowed: templates can only read their own variables`);
}

export function parseExpression(s: TokenStream): Expr {
  const at = s.peek().at;
  const value = parseOr(s);
  if (!s.accept('if')) return value;
  const cond = parseOr(s);
  const otherwise = s.accept('else') ? parseExpression(s) : undefined;
  return { kind: 'conditional', cond, value, otherwise, at };
}

function parseOr(s: TokenStream): Expr {
  let left = parseAnd(s);
  for (let at = s.peek().at; s.accept('or'); at = s.peek().at)
    left = { kind: 'logical', op: 'or', left, right: parseAnd(s), at };
  return left;
}

function parseAnd(s: TokenStream): Expr {
  let left = parseNot(s);
  for (let at = s.peek().at; s.accept('and'); at = s.peek().at)
    left = { kind: 'logical', op: 'and', left, right: parseNot(s), at };
  return left;
}

function parseNot(s: TokenStream): Expr {
  const at = s.peek().at;
  if (s.accept('not')) return { kind: 'not', operand: parseNot(s), at };
  return parseCompare(s);
}

function parseCompare(s: TokenStream): Expr {
  let left = parseConcat(s);
  for (;;) {
    const token = s.peek();
    let op: CompareOp | undefined;
    if (token.type === 'op' && COMPARE.has(token.value)) op = token.value as CompareOp;
    else if (token.type === 'name' && token.value === 'in') op = 'in';
    else if (token.type === 'name' && token.value === 'not' && s.peek(1).value === 'in') op = 'not in';
    else if (token.type === 'name' && token.value === 'is') {
      s.next();
      const negated = s.accept('not');
      const test = s.name('a test name after "is" (defined, undefined, none)');
      left = { kind: 'test', target: left, test, negated, at: token.at };
      continue;
    }
    if (!op) return left;
    s.next();
    if (op === 'not in') s.next();
    left = { kind: 'compare', op, left, right: parseConcat(s), at: token.at };
  }
}

function parseConcat(s: TokenStream): Expr {
  let left = parseFiltered(s);
  for (let at = s.peek().at; s.accept('~'); at = s.peek().at)
    left = { kind: 'concat', left, right: parseFiltered(s), at };
  return left;
}

function parseFiltered(s: TokenStream): Expr {
  let target = parsePostfix(s);
  for (let at = s.peek().at; s.accept('|'); at = s.peek().at) {
    const name = s.name('a filter name after "|"');
    const args: Expr[] = [];
    if (s.accept('(')) {
      if (!s.accept(')')) {
        do args.push(parseExpression(s));
        while (s.accept(','));
        s.expect(')', '")" after the filter arguments');
      }
    }
    target = { kind: 'filter', target, name, args, at };
  }
  return target;
}

function parsePostfix(s: TokenStream): Expr {
  let target = parsePrimary(s);
  for (;;) {
    const token = s.peek();
    if (s.accept('.')) {
      const key = s.next();
      if (key.type !== 'name' && key.type !== 'number')
        fail(key.at, `expected a field name after ".", found ${show(key)}`);
      if (key.type === 'name') checkName(key);
      const value = key.type === 'number' ? Number(key.value) : key.value;
      target = { kind: 'lookup', target, key: { kind: 'literal', value, at: key.at }, at: token.at };
    } else if (s.accept('[')) {
      const key = parseExpression(s);
      if (key.kind === 'literal' && typeof key.value === 'string' && FORBIDDEN.has(key.value))
        fail(key.at, `"${key.value}" is not allowed: templates can only read their own variables`);
      s.expect(']', '"]" after the key');
      target = { kind: 'lookup', target, key, at: token.at };
    } else if (token.type === 'op' && token.value === '(') {
      fail(token.at, 'calls are not supported: templates can only call super() inside a block');
    } else {
      return target;
    }
  }
}

function parsePrimary(s: TokenStream): Expr {
  const token = s.next();
  const at = token.at;
  switch (token.type) {
    case 'string':
      return { kind: 'literal', value: token.value, at };
    case 'number':
      return { kind: 'literal', value: Number(token.value), at };
    case 'name': {
      const word = token.value;
      if (word === 'true' || word === 'True') return { kind: 'literal', value: true, at };
      if (word === 'false' || word === 'False') return { kind: 'literal', value: false, at };
      if (word === 'none' || word === 'None') return { kind: 'literal', value: null, at };
      if (word === 'super' && s.peek().value === '(') {
        s.next();
        s.expect(')', '")": super() takes no arguments');
        return { kind: 'super', at };
      }
      if (KEYWORDS.has(word)) fail(at, `expected a value, found "${word}"`);
      checkName(token);
      return { kind: 'name', name: word, at };
    }
    case 'op':
      if (token.value === '-' && s.peek().type === 'number')
        return { kind: 'literal', value: -Number(s.next().value), at };
      if (token.value === '(') {
        const inner = parseExpression(s);
        s.expect(')', '")"');
        return inner;
      }
      if (token.value === '[') {
        const items: Expr[] = [];
        if (!s.accept(']')) {
          do items.push(parseExpression(s));
          while (s.accept(','));
          s.expect(']', '"]" after the list');
        }
        return { kind: 'list', items, at };
      }
      return fail(at, `expected a value, found ${show(token)}`);
    default:
      return fail(at, 'expected a value, found the end of the tag');
  }
}
