/**
 * Statements: text, `{{ expr }}`, and the tags a Dockerfile template needs (extends, block, if/elif/
 * else, for/else, set, raw). Any other tag (include, import, macro, call, filter, with...) is refused:
 * they read other files or define code, and a bento's template may only shape text.
 */
import type { Node, Template } from './ast.js';
import { fail, locator, type Position } from './errors.js';
import { parseExpression, show, TokenStream } from './expression.js';
import { type LexOptions, type Segment, segments, tokenize } from './lexer.js';

type Block = Extract<Node, { kind: 'block' }>;

/** What ends the body being parsed: the end tags it waits for. */
type Until = readonly string[];

const SUPPORTED = 'extends, block, if, for, set and raw';
const MAX_NESTING = 100;
const CLOSERS = new Set(['endblock', 'elif', 'else', 'endif', 'endfor', 'endraw']);

export function parseTemplate(source: string, options: LexOptions): Template {
  const parser = new Parser(source, options);
  return parser.template();
}

class Parser {
  private readonly segments: Segment[];
  private readonly locate: (offset: number) => Position;
  private index = 0;
  private readonly blocks = new Map<string, Block>();
  private extendsNode: Extract<Node, { kind: 'extends' }> | undefined;

  constructor(source: string, options: LexOptions) {
    this.segments = segments(source, options);
    this.locate = locator(source);
  }

  template(): Template {
    const { body } = this.body([], 0);
    return { body, blocks: this.blocks, extends: this.extendsNode };
  }

  /** Nodes up to one of `until` (returned, with its tokens) or the end of the template. */
  private body(
    until: Until,
    depth: number,
  ): { body: Node[]; end?: { word: string; stream: TokenStream; at: Position } } {
    const body: Node[] = [];
    while (this.index < this.segments.length) {
      const segment = this.segments[this.index++]!;
      if (segment.kind === 'text') {
        body.push({ kind: 'text', value: segment.value });
        continue;
      }
      const stream = new TokenStream(tokenize(segment.code, segment.offset, this.locate));
      if (segment.kind === 'output') {
        const expr = parseExpression(stream);
        stream.end('the expression');
        body.push({ kind: 'output', expr, at: segment.at });
        continue;
      }
      const first = stream.next();
      if (first.type !== 'name') fail(first.at, `expected a tag name, found ${show(first)}`);
      const word = first.value;
      if (until.includes(word)) return { body, end: { word, stream, at: first.at } };
      if (CLOSERS.has(word)) fail(first.at, `unexpected {% ${word} %}: nothing open here takes it`);
      body.push(this.statement(word, stream, first.at, depth));
    }
    return { body };
  }

  private statement(word: string, s: TokenStream, at: Position, depth: number): Node {
    switch (word) {
      case 'extends': {
        if (depth > 0) fail(at, '{% extends %} must be at the top level of the template');
        if (this.extendsNode) fail(at, 'the template extends twice');
        const parent = parseExpression(s);
        s.end('{% extends %}');
        this.extendsNode = { kind: 'extends', parent, at };
        return this.extendsNode;
      }
      case 'block': {
        const name = s.name('a block name');
        s.end(`{% block ${name} %}`);
        if (this.blocks.has(name)) fail(at, `block "${name}" is defined twice`);
        const block: Block = { kind: 'block', name, body: [], at };
        this.blocks.set(name, block);
        const { body, end } = this.closed(['endblock'], depth, `{% block ${name} %}`, at);
        if (end.stream.peek().type === 'name' && end.stream.name('a block name') !== name)
          fail(end.at, `{% endblock %} closes "${name}" under another name`);
        end.stream.end('{% endblock %}');
        block.body = body;
        return block;
      }
      case 'if':
        return this.ifStatement(s, at, depth);
      case 'for': {
        const targets = [s.name('a loop variable')];
        while (s.accept(',')) targets.push(s.name('a loop variable'));
        s.expect('in', '"in" after the loop variables');
        const iter = parseExpression(s);
        s.end('the loop sequence');
        const first = this.closed(['else', 'endfor'], depth, '{% for %}', at);
        first.end.stream.end(`{% ${first.end.word} %}`);
        let otherwise: Node[] = [];
        if (first.end.word === 'else') {
          const rest = this.closed(['endfor'], depth, '{% for %}', at);
          rest.end.stream.end('{% endfor %}');
          otherwise = rest.body;
        }
        return { kind: 'for', targets, iter, body: first.body, otherwise, at };
      }
      case 'set': {
        const name = s.name('a variable name');
        s.expect('=', '"=" (only {% set name = value %} is supported)');
        const value = parseExpression(s);
        s.end('{% set %}');
        return { kind: 'set', name, value, at };
      }
      case 'raw':
        return { kind: 'text', value: '' };
      default:
        return fail(
          at,
          `unsupported tag "${word}": a Dockerfile template can use ${SUPPORTED} (it cannot read files or define code)`,
        );
    }
  }

  private ifStatement(s: TokenStream, at: Position, depth: number): Node {
    const branches: Extract<Node, { kind: 'if' }>['branches'] = [];
    let cond = parseExpression(s);
    s.end('the condition');
    let otherwise: Node[] = [];
    for (;;) {
      const { body, end } = this.closed(['elif', 'else', 'endif'], depth, '{% if %}', at);
      branches.push({ cond, body });
      if (end.word === 'elif') {
        cond = parseExpression(end.stream);
        end.stream.end('the condition');
        continue;
      }
      end.stream.end(`{% ${end.word} %}`);
      if (end.word === 'else') {
        const rest = this.closed(['endif'], depth, '{% if %}', at);
        rest.end.stream.end('{% endif %}');
        otherwise = rest.body;
      }
      break;
    }
    return { kind: 'if', branches, otherwise, at };
  }

  /** A body that must end with one of `until`; the opening tag is named when it does not. */
  private closed(until: Until, depth: number, opening: string, at: Position) {
    if (depth >= MAX_NESTING) fail(at, `tags are nested more than ${MAX_NESTING} deep`);
    const { body, end } = this.body(until, depth + 1);
    if (!end) fail(at, `${opening} is not closed: expected {% ${until[until.length - 1]} %} before the end`);
    return { body, end };
  }
}
