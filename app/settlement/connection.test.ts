// The connection's clock and polls against a scripted chain: a poll asked for while one runs is
// run again after it (never joined), and a clock move is known before the next poll answers.
import { describe, expect, it } from 'vitest'
import { chainErrorOf, type ChainSettlement } from '../../channel-contract/client/index.ts'
import { parseChainConfig } from '../../channel-contract/chain/config.ts'
import { SettlementConnection } from './connection.ts'

const cfg = parseChainConfig({
  rpcUrl: 'http://127.0.0.1:1',
  chainId: 31337,
  adjudicator: `0x${'11'.repeat(20)}`,
  token: `0x${'22'.repeat(20)}`,
  verifier: `0x${'33'.repeat(20)}`,
  asset: 'USDC',
  assetDecimals: 6,
})

/** A chain whose head answers when the test says so; moving the clock mines one block. */
function scriptedChain() {
  let block = 10n
  let time = Date.now()
  const waiting: (() => void)[] = []
  let heads = 0
  const chain = {
    head: async () => {
      heads++
      const read = { block, time }
      await new Promise<void>((r) => waiting.push(r))
      return read
    },
    isDevChain: async () => true,
    advanceTime: async (seconds: number) => {
      time += seconds * 1000
      block++
      return { time }
    },
  }
  const settlement = { chain, events: async () => [], oracleInfo: async () => null, watchtowerInfo: async () => null } as unknown as ChainSettlement
  return {
    settlement,
    heads: () => heads,
    /** Answers every head read waiting so far. */
    answer: async () => {
      for (const r of waiting.splice(0)) r()
      await new Promise((r) => setTimeout(r, 0))
    },
  }
}

describe('SettlementConnection polls', () => {
  it('runs a fresh poll after the running one when asked during it, once for every such caller', async () => {
    const chain = scriptedChain()
    const conn = new SettlementConnection(cfg)
    conn.settlement = chain.settlement
    const first = conn.poll()
    const second = conn.poll()
    const third = conn.poll()
    expect(second).toBe(third)
    expect(chain.heads()).toBe(1)
    await chain.answer()
    await first
    // The second read starts only after the first answered, so it sees what happened meanwhile.
    expect(chain.heads()).toBe(2)
    await chain.answer()
    await second
    expect(chain.heads()).toBe(2)
    expect(conn.getSnapshot().healthy).toBe(true)
  })

  it('knows the moved clock as soon as the move returns, though a poll started before it is still running', async () => {
    const chain = scriptedChain()
    const conn = new SettlementConnection(cfg)
    conn.settlement = chain.settlement
    const before = conn.poll()
    await chain.answer()
    await before
    const stale = conn.poll() // reads the head before the move
    const moved = conn.advanceTime(3600)
    await new Promise((r) => setTimeout(r, 0))
    expect(conn.now() - Date.now()).toBeGreaterThan(3_599_000)
    await chain.answer()
    await stale
    await chain.answer()
    await moved
    expect(conn.now() - Date.now()).toBeGreaterThan(3_599_000)
    expect(conn.getSnapshot().height).toBe(11n)
  })
})

describe('SettlementConnection snapshots', () => {
  it('tells its readers of a poll that read something new, and of none that read what it held', async () => {
    const chain = scriptedChain()
    const conn = new SettlementConnection(cfg)
    conn.settlement = chain.settlement
    let told = 0
    conn.subscribe(() => told++)
    const poll = async () => {
      const p = conn.poll()
      await chain.answer()
      await p
    }
    await poll()
    const first = conn.getSnapshot()
    expect([told, first.healthy, first.height]).toEqual([1, true, 10n])
    // The same head again (no block mined): the same snapshot, nobody told.
    await poll()
    await poll()
    expect(told).toBe(1)
    expect(conn.getSnapshot()).toBe(first)
    // A block mined (the clock moved): a new snapshot with the new height.
    let moved = false
    const move = conn.advanceTime(60).then(() => (moved = true))
    while (!moved) await chain.answer()
    await move
    expect(told).toBeGreaterThan(1)
    expect(conn.getSnapshot().height).toBe(11n)
  })
})

describe('SettlementConnection.track', () => {
  const refused = async () => {
    throw chainErrorOf('ALREADY_FINALIZED', ['0x' + '00'.repeat(32)])
  }

  it('lists a refused call as not needed, with the reason it gives, when its goal is reached; else as failed with the contract\'s words', async () => {
    const conn = new SettlementConnection(cfg)
    conn.settlement = scriptedChain().settlement
    expect(await conn.track('Close channel', refused, undefined, async () => 'Not needed: the channel was closed on the contract already.')).toBeNull()
    expect(await conn.track('Close channel', refused, undefined, async () => null)).toBeNull()
    // Asking the contract failed: the refusal stays a failure.
    expect(await conn.track('Close channel', refused, undefined, async () => { throw new Error('node down') })).toBeNull()
    const [down, failed, unneeded] = conn.getSnapshot().txs
    expect(unneeded).toMatchObject({ status: 'unneeded', reason: 'Not needed: the channel was closed on the contract already.', code: 'ALREADY_FINALIZED' })
    expect(failed).toMatchObject({ status: 'failed', code: 'ALREADY_FINALIZED' })
    expect(failed!.reason).toMatch(/^The channel has already paid out\./)
    expect(down).toMatchObject({ status: 'failed', code: 'ALREADY_FINALIZED' })
  })
})
