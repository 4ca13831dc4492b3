import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: integration tests start real servers and engines; running files two at a time keeps
    // them from starving each other.
    maxWorkers: 2,
    pool: 'forks',
  },
});
