import { defineConfig } from 'vitest/config';

// Two projects: everything on SQLite; and, when DOSSIER_TEST_PG_URL points at a Postgres server (CI does
// this), the repository and HTTP suites again on Postgres.
const pgUrl = process.env['DOSSIER_TEST_PG_URL'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true as const, test: { name: 'sqlite', include: ['test/**/*.test.ts'], env: { DOSSIER_TEST_DB: 'sqlite' } } },
      ...(pgUrl
        ? [{ extends: true as const, test: { name: 'postgres', include: ['test/http/**/*.test.ts', 'test/db/**/*.test.ts'], env: { DOSSIER_TEST_DB: 'postgres' } } }]
        : []),
    ],
  },
});
