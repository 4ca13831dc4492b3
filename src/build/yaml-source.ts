/**
 * A parsed YAML file that remembers where each value came from, so an error about `service.apis[0].model`
 * can point at the line and column a user has to edit.
 */
import YAML, { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node } from 'yaml';
import { UsageError } from '../core/errors.js';

export type KeyPath = readonly PropertyKey[];

export class YamlSource {
  private constructor(
    /** The file as named in messages. */
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Parses `text`; a syntax error becomes a UsageError with the line and column. */
  static parse(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    const doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const error = doc.errors[0];
    if (error) {
      const { line, col } = lines.linePos(error.pos[0]);
      const message = error.message.split('\n')[0]!.replace(/\.$/, '');
      throw new UsageError(
        `${file}:${line}:${col}: YAML syntax error: ${message} (fix the YAML at line ${line}, column ${col})`,
      );
    }
    return new YamlSource(file, doc, lines);
  }

  toJS(): unknown {
    return this.doc.toJS();
  }

  /**
   * `file:line:col` of the value at `path` (or of its key, with `key: true`); the nearest enclosing
   * node when the path does not exist (a missing key points at the mapping that lacks it).
   */
  locate(path: KeyPath, options: { key?: boolean } = {}): string {
    const node = this.nodeAt(path, options.key ?? false);
    const offset = node?.range?.[0];
    if (offset === undefined) return `${this.file}:1:1`;
    const { line, col } = this.lines.linePos(offset);
    return `${this.file}:${line}:${col}`;
  }

  private nodeAt(path: KeyPath, wantKey: boolean): Node | undefined {
    let node: unknown = this.doc.contents;
    let found = node as Node | undefined;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
        );
        if (!pair) return found;
        if (last && wantKey) return pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else {
        return found;
      }
      if (node && typeof node === 'object' && 'range' in node) found = node as Node;
      else return found;
    }
    return found;
  }
}

/** `service.apis[0].batching`: how a key path reads in messages. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}
