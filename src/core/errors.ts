/**
 * Errors that reach a user. `UsageError` is a bad input (exit 2); `BentoError` is a failure of an
 * otherwise valid request (exit 1). Messages are one line that names the input and the fix. A
 * message is a string or a UserText (user-text.ts) whose option and operation references each
 * front door renders in its own words; `message` is the library's rendering.
 */
import { type Naming, UserText, userText } from './user-text.js';

export class BentoError extends Error {
  readonly exitCode: number = 1;
  /** The message as parts, with the options and operations it names kept as references. */
  readonly text: UserText;
  constructor(message: string | UserText, options?: { cause?: unknown }) {
    const text = userText(message);
    super(text.render(), options);
    this.text = text;
    this.name = 'BentoError';
  }

  /** The message as a front door spells options and operations. */
  render(naming: Naming): string {
    return this.text.render(naming);
  }
}

export class UsageError extends BentoError {
  override readonly exitCode = 2;
  constructor(message: string | UserText, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/**
 * A bad value of one option of an operation: `option` is its key in the operation's typed options,
 * which the CLI shows as a flag and an action as an input. The text starts with what is wrong.
 */
export class OptionError extends UsageError {
  constructor(
    readonly option: string,
    message: string | UserText,
  ) {
    super(message);
    this.name = 'OptionError';
  }
}

/** Several bad options at once, each its own OptionError (a front door reports each). */
export class OptionErrors extends UsageError {
  constructor(readonly errors: readonly OptionError[]) {
    super(new UserText(errors.flatMap((e, i) => (i === 0 ? e.text.parts : ['; ', ...e.text.parts]))));
    this.name = 'OptionErrors';
  }
}

/** A tag, model or bento that is not in the store. */
export class NotFoundError extends BentoError {
  constructor(message: string | UserText) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Stored content that does not match its recorded digests. */
export class IntegrityError extends BentoError {
  constructor(message: string | UserText) {
    super(message);
    this.name = 'IntegrityError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
