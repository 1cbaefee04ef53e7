import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'channel-contract/**/*.test.ts', 'app/**/*.test.{ts,tsx}', 'desk/**/*.test.ts', 'scripts/**/*.test.ts', 'signaling/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/unit.json' },
  },
})
