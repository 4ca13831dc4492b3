/**
 * Checks of an operation's options that go beyond their shape (a list the features parse, options
 * that exclude each other), each failure reported as the option's: the features' parsers throw
 * UsageErrors naming the option, which become OptionErrors carrying its key, and every bad option
 * is reported at once.
 */
import { OptionError, OptionErrors, UsageError } from '../core/errors.js';
import { textOf, type UserText } from '../core/user-text.js';

export class OptionChecks {
  private readonly errors: OptionError[] = [];

  /** `derive()`'s value; when it throws a usage error, that error as option `key`'s (and undefined). */
  value<T>(key: string, derive: () => T): T | undefined {
    try {
      return derive();
    } catch (err) {
      return this.record(key, err);
    }
  }

  /** The same for an asynchronous parse (a key file to read, a token to resolve). */
  async valueOf<T>(key: string, derive: () => Promise<T>): Promise<T | undefined> {
    try {
      return await derive();
    } catch (err) {
      return this.record(key, err);
    }
  }

  /** A usage error as option `key`'s; anything else is not a bad option and goes on up. */
  private record(key: string, err: unknown): undefined {
    if (!(err instanceof UsageError)) throw err;
    this.errors.push(err instanceof OptionError ? err : new OptionError(key, textOf(err)));
    return undefined;
  }

  /** Records a bad option `key`. */
  fail(key: string, text: string | UserText): void {
    this.errors.push(new OptionError(key, text));
  }

  /** Throws what was found: one OptionError, or OptionErrors for several. */
  done(): void {
    if (this.errors.length === 1) throw this.errors[0];
    if (this.errors.length > 1) throw new OptionErrors(this.errors);
  }
}
