// Test helper (tests only): a desk on the chain (testbed.ts startDeskOnChain) shared by the tests of
// one describe block. Kept apart from testbed.ts, which the benchmarks import too, because it
// registers vitest hooks.
import { afterAll, beforeAll } from 'vitest'
import { startDeskOnChain, type DeskOnChain } from './testbed.ts'

export type Cleanup = () => void | Promise<void>

/**
 * Starts the desk (`args`: its command-line flags; no watchtower service) before the block's tests
 * and hands it to `ready`. Returns the block's list of cleanups: after its tests they run last
 * first, then the desk stops.
 */
export function deskOnChainForSuite(prefix: string, args: readonly string[], ready: (d: DeskOnChain) => void): Cleanup[] {
  let onChain: DeskOnChain | undefined
  const cleanup: Cleanup[] = []
  beforeAll(async () => {
    onChain = await startDeskOnChain(prefix, args)
    ready(onChain)
  }, 180_000)
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c()
    await onChain?.stop()
  })
  return cleanup
}
