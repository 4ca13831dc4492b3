/**
 * Renders a parsed template to text. Inheritance is Jinja's: a child's top-level `set`s run, then the
 * parent renders with each block taken from the most derived template that defines it, and super()
 * renders the next one up. Work is bounded (steps, output size, block nesting), so a hostile template
 * can fail a build but cannot hang it or fill the disk.
 */
import type { Expr, Node, Template } from './ast.js';
import { fail, TemplateError } from './errors.js';
import {
  bounded,
  contains,
  equal,
  type Filter,
  isMapping,
  lookup,
  MAX_VALUE_SIZE,
  type Mapping,
  order,
  print,
  truthy,
  type Value,
} from './values.js';

export interface Limits {
  /** Nodes rendered plus loop iterations. */
  steps: number;
  /** Characters of output. */
  output: number;
  /** Blocks rendered inside one another (super() included), and templates extended in a chain. */
  depth: number;
}

export const DEFAULT_LIMITS: Limits = { steps: 250_000, output: MAX_VALUE_SIZE, depth: 32 };

export interface Environment {
  filters: ReadonlyMap<string, Filter>;
  /** The named templates `{% extends %}` may name, parsed on first use. */
  load: (name: string) => Template | undefined;
  limits: Limits;
}

class Scope {
  private readonly vars = new Map<string, Value>();

  constructor(
    private readonly parent: Scope | undefined,
    private readonly data?: Mapping,
  ) {}

  get(name: string): Value {
    if (this.vars.has(name)) return this.vars.get(name);
    if (this.parent) return this.parent.get(name);
    return this.data && Object.hasOwn(this.data, name) ? this.data[name] : undefined;
  }

  set(name: string, value: Value): void {
    this.vars.set(name, value);
  }
}

interface Frame {
  name: string;
  /** Index into the definitions of `name`, most derived first. */
  level: number;
}

/** A chain of templates, most derived first, with the name each was loaded under (for messages). */
type Chain = { template: Template; name: string | undefined }[];

export function renderParsed(template: Template, data: Mapping, env: Environment): string {
  return new Renderer(env).run(template, data);
}

class Renderer {
  private chain: Chain = [];
  private steps = 0;
  private length = 0;
  private readonly frames: Frame[] = [];

  constructor(private readonly env: Environment) {}

  run(template: Template, data: Mapping): string {
    const scope = new Scope(undefined, data);
    this.chain = [{ template, name: undefined }];
    for (let current = template; current.extends; ) {
      // A child's output outside blocks is dropped; its top-level sets are seen by its parents.
      for (const node of current.body)
        if (node.kind === 'set') scope.set(node.name, this.eval(node.value, scope));
      const at = current.extends.at;
      const name = this.eval(current.extends.parent, scope);
      const parent = typeof name === 'string' ? this.env.load(name) : undefined;
      if (typeof name !== 'string' || !parent)
        fail(at, `{% extends %} can only name bento_base_template, not ${JSON.stringify(name ?? null)}`);
      if (this.chain.length >= this.env.limits.depth) fail(at, 'templates extend each other in a loop');
      this.chain.push({ template: parent, name });
      current = parent;
    }
    const root = this.chain[this.chain.length - 1]!;
    return this.within(root.name, () => this.nodes(root.template.body, scope));
  }

  /** Errors raised while rendering a parent template say which template they are in. */
  private within<T>(name: string | undefined, render: () => T): T {
    try {
      return render();
    } catch (err) {
      if (!(err instanceof TemplateError) || err.located) throw err;
      const located = name ? new TemplateError(`in ${name}: ${err.reason}`, err.line, err.column) : err;
      located.located = true;
      throw located;
    }
  }

  private nodes(nodes: Node[], scope: Scope): string {
    let out = '';
    for (const node of nodes) out += this.node(node, scope);
    return out;
  }

  private node(node: Node, scope: Scope): string {
    this.step(node);
    switch (node.kind) {
      case 'text':
        return this.emit(node.value, node);
      case 'output':
        return this.emit(print(this.eval(node.expr, scope), node.at), node);
      case 'if': {
        for (const branch of node.branches)
          if (truthy(this.eval(branch.cond, scope))) return this.nodes(branch.body, scope);
        return this.nodes(node.otherwise, scope);
      }
      case 'for':
        return this.loop(node, scope);
      case 'set':
        scope.set(node.name, this.eval(node.value, scope));
        return '';
      case 'block':
        return this.block({ name: node.name, level: 0 }, scope, node);
      case 'extends':
        return '';
    }
  }

  private loop(node: Extract<Node, { kind: 'for' }>, scope: Scope): string {
    const iterable = this.eval(node.iter, scope);
    let items: Value[];
    if (iterable === undefined || iterable === null) items = [];
    else if (Array.isArray(iterable)) items = iterable;
    else if (isMapping(iterable)) items = Object.keys(iterable);
    else if (typeof iterable === 'string') items = [...iterable];
    else return fail(node.at, '{% for %} needs a list, a mapping or a string');
    if (items.length === 0) return this.nodes(node.otherwise, scope);
    let out = '';
    items.forEach((item, index) => {
      this.step(node);
      const inner = new Scope(scope);
      if (node.targets.length === 1) inner.set(node.targets[0]!, item);
      else if (Array.isArray(item) && item.length === node.targets.length)
        for (const [i, t] of node.targets.entries()) inner.set(t, item[i]);
      else fail(node.at, `cannot unpack an item into ${node.targets.length} loop variables`);
      const info: Mapping = Object.create(null) as Mapping;
      Object.assign(info, {
        index: index + 1,
        index0: index,
        revindex: items.length - index,
        revindex0: items.length - index - 1,
        first: index === 0,
        last: index === items.length - 1,
        length: items.length,
      });
      inner.set('loop', info);
      out += this.nodes(node.body, inner);
    });
    return out;
  }

  /** The definition of a block at `level` (0: the most derived) rendered in its own scope. */
  private block(frame: Frame, scope: Scope, at: { at: { line: number; column: number } }): string {
    const definitions = this.chain.filter((c) => c.template.blocks.has(frame.name));
    const definition = definitions[frame.level];
    if (!definition) return fail(at.at, `block "${frame.name}" has no parent block for super() to render`);
    if (this.frames.length >= this.env.limits.depth) fail(at.at, 'blocks are nested too deeply (a loop?)');
    this.frames.push(frame);
    try {
      const body = definition.template.blocks.get(frame.name)!.body;
      return this.within(definition.name, () => this.nodes(body, new Scope(scope)));
    } finally {
      this.frames.pop();
    }
  }

  private step(node: Node): void {
    if (++this.steps > this.env.limits.steps)
      fail('at' in node ? node.at : { line: 1, column: 1 }, 'the template does too much work (a loop?)');
  }

  private emit(text: string, node: Node): string {
    this.length += text.length;
    if (this.length > this.env.limits.output)
      fail(
        'at' in node ? node.at : { line: 1, column: 1 },
        `the output exceeds ${this.env.limits.output} characters`,
      );
    return text;
  }

  private eval(expr: Expr, scope: Scope): Value {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'name':
        return scope.get(expr.name);
      case 'lookup':
        return lookup(this.eval(expr.target, scope), this.eval(expr.key, scope));
      case 'list':
        return bounded(
          expr.items.map((item) => this.eval(item, scope)),
          expr.at,
        );
      case 'filter': {
        const filter = this.env.filters.get(expr.name);
        if (!filter) return fail(expr.at, `unknown filter "${expr.name}"`);
        const args = expr.args.map((arg) => this.eval(arg, scope));
        return bounded(filter(this.eval(expr.target, scope), args, expr.at), expr.at);
      }
      case 'not':
        return !truthy(this.eval(expr.operand, scope));
      case 'logical': {
        const left = this.eval(expr.left, scope);
        if (expr.op === 'and') return truthy(left) ? this.eval(expr.right, scope) : left;
        return truthy(left) ? left : this.eval(expr.right, scope);
      }
      case 'compare':
        return this.compare(expr, scope);
      case 'concat':
        return bounded(
          print(this.eval(expr.left, scope), expr.at) + print(this.eval(expr.right, scope), expr.at),
          expr.at,
        );
      case 'test':
        return this.test(expr, scope) !== expr.negated;
      case 'conditional':
        if (truthy(this.eval(expr.cond, scope))) return this.eval(expr.value, scope);
        return expr.otherwise ? this.eval(expr.otherwise, scope) : undefined;
      case 'super': {
        const frame = this.frames[this.frames.length - 1];
        if (!frame) return fail(expr.at, 'super() can only be called inside a {% block %}');
        return this.block({ name: frame.name, level: frame.level + 1 }, scope, expr);
      }
    }
  }

  private compare(expr: Extract<Expr, { kind: 'compare' }>, scope: Scope): boolean {
    const left = this.eval(expr.left, scope);
    const right = this.eval(expr.right, scope);
    switch (expr.op) {
      case '==':
        return equal(left, right);
      case '!=':
        return !equal(left, right);
      case 'in':
        return contains(right, left, expr.at);
      case 'not in':
        return !contains(right, left, expr.at);
      case '<':
        return order(left, right, expr.at) < 0;
      case '>':
        return order(left, right, expr.at) > 0;
      case '<=':
        return order(left, right, expr.at) <= 0;
      case '>=':
        return order(left, right, expr.at) >= 0;
    }
  }

  private test(expr: Extract<Expr, { kind: 'test' }>, scope: Scope): boolean {
    const value = this.eval(expr.target, scope);
    switch (expr.test) {
      case 'defined':
        return value !== undefined;
      case 'undefined':
        return value === undefined;
      case 'none':
        return value === null;
      case 'string':
        return typeof value === 'string';
      case 'number':
        return typeof value === 'number';
      case 'mapping':
        return isMapping(value);
      case 'sequence':
        return Array.isArray(value) || typeof value === 'string';
      default:
        return fail(
          expr.at,
          `unknown test "${expr.test}": use defined, undefined, none, string, number, mapping or sequence`,
        );
    }
  }
}
