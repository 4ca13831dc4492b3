/**
 * The parsed form of a template. It has no node that calls into the host: the only call is super(),
 * lookups are by name into the template's own data, and filters are names resolved against a fixed
 * table when rendering.
 */
import type { Position } from './errors.js';

export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null; at: Position }
  | { kind: 'name'; name: string; at: Position }
  | { kind: 'lookup'; target: Expr; key: Expr; at: Position }
  | { kind: 'list'; items: Expr[]; at: Position }
  | { kind: 'filter'; target: Expr; name: string; args: Expr[]; at: Position }
  | { kind: 'not'; operand: Expr; at: Position }
  | { kind: 'logical'; op: 'and' | 'or'; left: Expr; right: Expr; at: Position }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr; at: Position }
  | { kind: 'concat'; left: Expr; right: Expr; at: Position }
  | { kind: 'test'; target: Expr; test: string; negated: boolean; at: Position }
  | { kind: 'conditional'; cond: Expr; value: Expr; otherwise: Expr | undefined; at: Position }
  | { kind: 'super'; at: Position };

export type CompareOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'in' | 'not in';

export type Node =
  | { kind: 'text'; value: string }
  | { kind: 'output'; expr: Expr; at: Position }
  | { kind: 'if'; branches: { cond: Expr; body: Node[] }[]; otherwise: Node[]; at: Position }
  | { kind: 'for'; targets: string[]; iter: Expr; body: Node[]; otherwise: Node[]; at: Position }
  | { kind: 'block'; name: string; body: Node[]; at: Position }
  | { kind: 'set'; name: string; value: Expr; at: Position }
  | { kind: 'extends'; parent: Expr; at: Position };

export interface Template {
  body: Node[];
  /** Every block the template defines, at any depth, by name (a name is defined once). */
  blocks: Map<string, Extract<Node, { kind: 'block' }>>;
  /** The `{% extends %}` at the top level, if any. */
  extends: Extract<Node, { kind: 'extends' }> | undefined;
}
