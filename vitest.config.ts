import { defineConfig } from 'vitest/config';

// One project per layer of the test pyramid (docs/contributing.md): `npm test` runs them all,
// `npm test -- --project unit` is the quick loop.
const LAYERS = ['unit', 'integration', 'e2e', 'conformance'] as const;

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/support/kube-cache-dir.ts'],
    reporters: process.env.KFED_TEST_REPORT ? ['default', ['json', { outputFile: process.env.KFED_TEST_REPORT }]] : ['default'],
    projects: LAYERS.map((layer) => ({ extends: true, test: { name: layer, include: [`test/${layer}/**/*.test.ts`] } })),
  },
});
