import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'channel-contract/**/*.test.ts', 'app/**/*.test.{ts,tsx}', 'desk/**/*.test.ts', 'scripts/**/*.test.ts', 'signaling/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    // At least two files at a time: vitest's default (one less than the cores) is one on a 2-core
    // machine, and most files wait on a chain, a child process or the network more than they compute
    // (the unit suite took 413 s with one worker, about 285 s with two, on the 2-core CI machine;
    // scripts/unit.mjs runs the files with native WebRTC peers one at a time after the others).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/unit.json' },
  },
})
