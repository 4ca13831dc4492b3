/**
 * Text for users that names options and commands without knowing how a front door spells them.
 * Below the CLI and the actions, a message says `option('force')` where it used to say `--force`;
 * the CLI renders that as `--force`, an action as its input's name, and a library caller sees the
 * key of the options object (`force`). A message is written with the `say` template tag:
 *
 *   throw new UsageError(say`invalid ${option('to')} "${text}": push to a tag, not a digest`);
 */

/** An option by its key in an operation's typed options (camelCase, as the options object has it). */
export interface OptionRef {
  readonly kind: 'option';
  readonly key: string;
  /** A value to show with it, as the user would type it (`--platform linux/arm64`). */
  readonly value?: string;
}

/**
 * An operation the user can run to fix things (sign the entry, delete it, build it again), with the
 * entry it applies to and the options it needs. The CLI renders `bentoci sign TAG --key KEY`.
 */
export interface OperationRef {
  readonly kind: 'operation';
  readonly operation: OperationName;
  readonly target?: string;
  readonly options?: Readonly<Record<string, string | true>>;
}

/** The user-facing operations a message may point to; the front doors know how to spell each. */
export type OperationName =
  | 'build'
  | 'containerize'
  | 'delete-bento'
  | 'delete-model'
  | 'export-bento'
  | 'export-model'
  | 'import-bento'
  | 'import-model'
  | 'keygen'
  | 'list-bentos'
  | 'list-models'
  | 'pull-bento'
  | 'pull-model'
  | 'push'
  | 'save-model'
  | 'sign'
  | 'verify';

export type TextPart = string | OptionRef | OperationRef;

/** How a front door spells options and operations. */
export interface Naming {
  option(ref: OptionRef): string;
  operation(ref: OperationRef): string;
}

/** A message as parts: plain strings and references a front door renders. */
export class UserText {
  constructor(readonly parts: readonly TextPart[]) {}

  render(naming: Naming = LIBRARY_NAMING): string {
    return this.parts
      .map((part) =>
        typeof part === 'string'
          ? part
          : part.kind === 'option'
            ? naming.option(part)
            : naming.operation(part),
      )
      .join('');
  }

  /** The keys of the options it names, in order: the first is usually the one at fault. */
  options(): string[] {
    return this.parts.flatMap((part) =>
      typeof part !== 'string' && part.kind === 'option' ? [part.key] : [],
    );
  }

  toString(): string {
    return this.render();
  }
}

export function option(key: string, value?: string): OptionRef {
  return value === undefined ? { kind: 'option', key } : { kind: 'option', key, value };
}

export function operation(
  name: OperationName,
  target?: string,
  options?: Record<string, string | true>,
): OperationRef {
  return {
    kind: 'operation',
    operation: name,
    ...(target !== undefined ? { target } : {}),
    ...(options ? { options } : {}),
  };
}

/** Something that carries user text: a UserText, or an error built from one (its parts are kept). */
interface HasText {
  readonly text: UserText;
}

function isRef(value: unknown): value is OptionRef | OperationRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as { kind?: unknown }).kind === 'option' || (value as { kind?: unknown }).kind === 'operation')
  );
}

function hasText(value: unknown): value is HasText {
  return typeof value === 'object' && value !== null && (value as HasText).text instanceof UserText;
}

/**
 * The template tag for user text. References stay references; a UserText (or an error of ours that
 * carries one) is spliced in part by part, so wrapping a message keeps its references; anything
 * else becomes a string.
 */
export function say(strings: TemplateStringsArray, ...values: unknown[]): UserText {
  const parts: TextPart[] = [];
  const push = (part: TextPart) => {
    const last = parts[parts.length - 1];
    if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = last + part;
    else if (part !== '') parts.push(part);
  };
  strings.forEach((s, i) => {
    push(s);
    if (i >= values.length) return;
    const value = values[i];
    if (isRef(value)) push(value);
    else if (value instanceof UserText) for (const p of value.parts) push(p);
    else if (hasText(value)) for (const p of value.text.parts) push(p);
    else if (value instanceof Error) push(value.message);
    else push(String(value));
  });
  return new UserText(parts);
}

/** Text from a string or a UserText (what error constructors take). */
export function userText(message: string | UserText): UserText {
  return typeof message === 'string' ? new UserText([message]) : message;
}

/** The text of any thrown value: ours keep their references, others become plain text. */
export function textOf(err: unknown): UserText {
  if (hasText(err)) return err.text;
  if (err instanceof Error) return new UserText([err.message]);
  return new UserText([String(err)]);
}

/**
 * How a library caller reads messages: the key of the options object in backticks, and an
 * operation as the function-like name it has in the library.
 */
export const LIBRARY_NAMING: Naming = {
  option: (ref) => (ref.value === undefined ? `\`${ref.key}\`` : `\`${ref.key}: ${ref.value}\``),
  operation: (ref) => {
    const options = Object.entries(ref.options ?? {}).map(([k, v]) => (v === true ? k : `${k}: ${v}`));
    const args = [ref.target, options.length > 0 ? `{ ${options.join(', ')} }` : undefined].filter(Boolean);
    return `\`${ref.operation}(${args.join(', ')})\``;
  },
};
