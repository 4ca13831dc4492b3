/**
 * A Jinja-compatible template engine for untrusted templates, with the subset a Dockerfile template
 * needs: extends/block/super(), if/elif/else, for/else with `loop`, set, raw, comments, filters and
 * whitespace control. A template is data in, text out: it has no calls besides super(), reads only
 * its own variables (plain data copied in), and cannot include, import or read anything.
 */
import type { Template } from './ast.js';
import { TemplateError } from './errors.js';
import { parseTemplate } from './parser.js';
import { DEFAULT_LIMITS, type Limits, renderParsed } from './render.js';
import { BUILTIN_FILTERS, type Filter, isMapping, toValue } from './values.js';

export { TemplateError } from './errors.js';
export type { Filter, Value } from './values.js';

export interface RenderTemplateOptions {
  /** The variables the template reads: plain data only (no functions, no class instances). */
  data: Record<string, unknown>;
  /** Filters besides the built-in ones (default, join, lower, upper, trim, replace, dump...). */
  filters?: Record<string, Filter>;
  /** Templates `{% extends NAME %}` may name, by name. */
  templates?: Record<string, string>;
  /** Jinja's trim_blocks and lstrip_blocks; both on by default, as BentoML sets them. */
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
  limits?: Partial<Limits>;
}

export function renderTemplate(source: string, options: RenderTemplateOptions): string {
  const lex = { trimBlocks: options.trimBlocks ?? true, lstripBlocks: options.lstripBlocks ?? true };
  const data = toValue(options.data);
  if (!isMapping(data)) throw new TypeError('template data must be a mapping');
  const filters = new Map(BUILTIN_FILTERS);
  for (const [name, filter] of Object.entries(options.filters ?? {})) filters.set(name, filter);
  const named = new Map(Object.entries(options.templates ?? {}));
  const parsed = new Map<string, Template>();
  const load = (name: string): Template | undefined => {
    const source = named.get(name);
    if (source === undefined) return undefined;
    let template = parsed.get(name);
    if (!template) {
      try {
        template = parseTemplate(source, lex);
      } catch (err) {
        if (err instanceof TemplateError) {
          const located = new TemplateError(`in ${name}: ${err.reason}`, err.line, err.column);
          located.located = true;
          throw located;
        }
        throw err;
      }
      parsed.set(name, template);
    }
    return template;
  };
  return renderParsed(parseTemplate(source, lex), data, {
    filters,
    load,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  });
}
