import { describe, expect, it } from 'vitest';
import { Resources, withResources } from '../../../src/operations/resources.js';

function closable(name: string, log: string[], fail?: Error) {
  return {
    name,
    async close() {
      log.push(name);
      if (fail) throw fail;
    },
  };
}

describe('withResources', () => {
  it('closes everything opened, last first, when the body succeeds', async () => {
    const log: string[] = [];
    const result = await withResources(async (resources) => {
      resources.use(closable('a', log));
      resources.defer(() => {
        log.push('cleanup');
      });
      resources.use(closable('b', log));
      return 42;
    });
    expect(result).toBe(42);
    expect(log).toEqual(['b', 'cleanup', 'a']);
  });

  it("throws the body's error, not a failing close, and still closes the rest", async () => {
    const log: string[] = [];
    const failure = new Error('push failed');
    await expect(
      withResources(async (resources) => {
        resources.use(closable('a', log));
        resources.use(closable('b', log, new Error('close failed')));
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(log).toEqual(['b', 'a']);
  });

  it('reports a failing close when the body succeeded', async () => {
    const log: string[] = [];
    const closeFailure = new Error('close failed');
    await expect(
      withResources(async (resources) => {
        resources.use(closable('a', log, closeFailure));
        resources.use(closable('b', log));
      }),
    ).rejects.toBe(closeFailure);
    expect(log).toEqual(['b', 'a']);
  });
});

describe('Resources.shared', () => {
  it('opens a resource once per key and closes it once', async () => {
    const log: string[] = [];
    let opens = 0;
    const resources = new Resources();
    const open = async () => {
      opens++;
      return closable(`session ${opens}`, log);
    };
    const [x, y] = await Promise.all([resources.shared('host', open), resources.shared('host', open)]);
    const z = await resources.shared('other', open);
    expect(x).toBe(y);
    expect(z).not.toBe(x);
    await resources.close();
    await resources.close();
    expect(log).toEqual(['session 2', 'session 1']);
  });

  it('does not keep a failed open: the next use opens again', async () => {
    const resources = new Resources();
    let attempt = 0;
    const open = async () => {
      attempt++;
      if (attempt === 1) throw new Error('registry down');
      return { close: () => undefined };
    };
    await expect(resources.shared('host', open)).rejects.toThrow('registry down');
    await expect(resources.shared('host', open)).resolves.toBeDefined();
    await resources.close();
  });

  it('closes at once what is opened after the end, and says so', async () => {
    const log: string[] = [];
    const resources = new Resources();
    await resources.close();
    expect(() => resources.use(closable('late', log))).toThrow(/already closed/);
    await Promise.resolve();
    expect(log).toEqual(['late']);
  });
});
