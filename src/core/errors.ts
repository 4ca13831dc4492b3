/**
 * Errors that reach a user. `UsageError` is a bad input (exit 2); `BentoError` is a failure of an
 * otherwise valid request (exit 1). Messages are one line that names the input and the fix.
 */
export class BentoError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BentoError';
  }
}

export class UsageError extends BentoError {
  override readonly exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** A tag, model or bento that is not in the store. */
export class NotFoundError extends BentoError {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Stored content that does not match its recorded digests. */
export class IntegrityError extends BentoError {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
