/**
 * What an operation opens (registry sessions, engine connections, servers) is closed in one place:
 * each resource is registered as it is opened, and `withResources` closes them all, last opened
 * first, when the operation ends, whether it succeeded or not. A close that fails does not keep the
 * others open, and never hides the error the operation failed with.
 */

/** Anything with an asynchronous (or immediate) close. */
export interface Closable {
  close(): Promise<void> | void;
}

export class Resources {
  private readonly closers: (() => Promise<void> | void)[] = [];
  private readonly opened = new Map<string, Promise<Closable>>();
  private closed = false;

  /** Registers an opened resource, to be closed with the rest; returns it. */
  use<T extends Closable>(resource: T): T {
    if (this.closed) {
      // Opened too late (the operation failed meanwhile): closed now rather than left open.
      void Promise.resolve(resource.close()).catch(() => undefined);
      throw new Error('resources already closed: nothing may be opened after the operation ended');
    }
    this.closers.push(() => resource.close());
    return resource;
  }

  /** Registers a clean-up step that is not a `close()` (stop a server, remove a temporary directory). */
  defer(cleanup: () => Promise<void> | void): void {
    if (this.closed) throw new Error('resources already closed: open nothing after the operation ended');
    this.closers.push(cleanup);
  }

  /**
   * The resource under `key`, opened by `open` the first time and reused after (one registry session
   * per registry, say, however many subjects it signs).
   */
  async shared<T extends Closable>(key: string, open: () => Promise<T>): Promise<T> {
    let pending = this.opened.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = open().then((resource) => this.use(resource));
      this.opened.set(key, pending);
      // A failed open is not cached: the next caller tries again (and fails with its own error).
      pending.catch(() => this.opened.delete(key));
    }
    return pending;
  }

  /** Closes everything, last opened first; throws the first failure once all have been tried. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const failures: unknown[] = [];
    for (const cleanup of this.closers.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        failures.push(err);
      }
    }
    this.closers.length = 0;
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, 'closing resources failed');
  }
}

/**
 * Runs `body` with a fresh set of resources and closes them all when it settles. When `body` fails,
 * its error is the one thrown, even if closing fails too.
 */
export async function withResources<T>(body: (resources: Resources) => Promise<T>): Promise<T> {
  const resources = new Resources();
  let result: T;
  try {
    result = await body(resources);
  } catch (err) {
    await resources.close().catch(() => undefined);
    throw err;
  }
  await resources.close();
  return result;
}
