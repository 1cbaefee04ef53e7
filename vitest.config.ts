import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'channel-contract/**/*.test.ts', 'app/**/*.test.{ts,tsx}', 'desk/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    // Sessions check every quiet-path decision against the full engine (core/sync/test-setup.ts).
    env: { OTC_CHECK_QUIET: '1' },
    setupFiles: ['core/sync/test-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/unit.json' },
  },
})
