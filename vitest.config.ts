import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    // Real sockets and real child processes: give them room, and keep files apart per worker.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
