// The connection's clock and polls against a scripted chain: a poll asked for while one runs is
// run again after it (never joined), and a clock move is known before the next poll answers.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { chainErrorOf, type ChainSettlement } from '../../channel-contract/client/index.ts'
import { parseChainConfig } from '../../channel-contract/chain/config.ts'
import type { EIP1193Provider } from 'viem'
import { ASSUMED_GAS_PRICE, DISPUTE_GAS, SettlementConnection, WALLET_ANSWER_MS, disputeGasReserve } from './connection.ts'
import type { AccountChoice, AccountChoiceStore, KeptAccountChoice } from './accountChoice.ts'

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
function scriptedChain(start: { block: bigint; time: number } = { block: 10n, time: Date.now() }, dev = true) {
  let { block, time } = start
  const waiting: (() => void)[] = []
  let heads = 0
  const chain = {
    head: async () => {
      heads++
      const read = { block, time }
      await new Promise<void>((r) => waiting.push(r))
      return read
    },
    isDevChain: async () => dev,
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
    /** The head the next reads see (a block mined, or a dev chain restarted). */
    setHead: (b: bigint, t: number) => {
      block = b
      time = t
    },
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

describe('SettlementConnection clock', () => {
  // Only Date is faked: the page's clock stands still unless the test moves it, so a head read's
  // round trip takes 0 ms and the offset it measures is exact; the scripted chain still answers on
  // real timers.
  const T = Date.UTC(2026, 11, 7, 3, 0, 0)
  const MIN = 60_000
  afterEach(() => {
    vi.useRealTimers()
  })
  /** A real chain by default (it mines all the time: its head is at most a block old). */
  const started = (head: { block: bigint; time: number }, dev = false) => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(T)
    const chain = scriptedChain(head, dev)
    const conn = new SettlementConnection(cfg)
    conn.settlement = chain.settlement
    const poll = async () => {
      const p = conn.poll()
      await chain.answer()
      await p
    }
    /** Moves the page's clock (the chain's runs on with it, mining no block). */
    const pass = (ms: number) => vi.setSystemTime(Date.now() + ms)
    return { chain, conn, poll, pass }
  }

  it("reads the page's clock until the chain's is read", () => {
    const { conn, pass } = started({ block: 10n, time: T - 5 * MIN })
    expect(conn.now(), 'no reading yet: the page clock').toBe(T)
    pass(1000)
    expect(conn.now()).toBe(T + 1000)
    expect(conn.getSnapshot().chainNow, 'callers are told the chain time is unknown').toBeNull()
  })

  it("follows a chain 5 minutes behind the page from the first reading, and runs on from it", async () => {
    const { conn, poll, pass } = started({ block: 10n, time: T - 5 * MIN })
    await poll()
    expect(conn.now(), "the chain's time, not the page's (5 min ahead of it)").toBe(T - 5 * MIN)
    pass(1000)
    expect(conn.now()).toBe(T - 5 * MIN + 1000)
  })

  it('follows a chain 1 hour ahead of the page from the first reading', async () => {
    const { conn, poll, pass } = started({ block: 10n, time: T + 60 * MIN })
    await poll()
    expect(conn.now()).toBe(T + 60 * MIN)
    pass(1000)
    expect(conn.now()).toBe(T + 60 * MIN + 1000)
  })

  it('never steps back on a later reading that measures less (no block mined meanwhile, or one stamped late)', async () => {
    const { chain, conn, poll, pass } = started({ block: 10n, time: T - 5 * MIN })
    await poll()
    pass(10_000)
    // The same head 10 s later: it measures the chain 10 s further behind; the clock ran on.
    await poll()
    expect(conn.now(), 'no block mined: the clock runs on').toBe(T - 5 * MIN + 10_000)
    // A new block whose time is 2 s behind the clock's estimate.
    chain.setHead(11n, T - 5 * MIN + 8000)
    await poll()
    expect(conn.getSnapshot().height).toBe(11n)
    expect(conn.now(), 'a lower block time: no step back').toBe(T - 5 * MIN + 10_000)
    // A block ahead of the estimate raises the clock.
    chain.setHead(12n, T - 5 * MIN + 13_000)
    await poll()
    expect(conn.now(), 'a higher block time: the clock rises to it').toBe(T - 5 * MIN + 13_000)
  })

  it("keeps the page's clock on a dev chain whose last block is old (it mines only for a transaction), and agrees with its next block", async () => {
    const { chain, conn, poll, pass } = started({ block: 10n, time: T - 10 * MIN }, true)
    await poll()
    expect(conn.getSnapshot().chainNow).toBe(T - 10 * MIN)
    expect(conn.now(), "the machine's clock, not the idle chain's last block").toBe(T)
    pass(5000)
    // The next transaction's block is stamped with the machine's clock.
    chain.setHead(11n, T + 5000)
    await poll()
    expect(conn.now()).toBe(T + 5000)
    // A dev chain moved forward is followed as before.
    chain.setHead(12n, T + 60 * MIN)
    await poll()
    expect(conn.now()).toBe(T + 60 * MIN)
  })

  it('takes the new measure, lower too, when the chain went back (a restarted dev chain)', async () => {
    const { chain, conn, poll } = started({ block: 10n, time: T + 60 * MIN }, true)
    await poll()
    expect(conn.now()).toBe(T + 60 * MIN)
    chain.setHead(2n, T - MIN)
    await poll()
    expect(conn.getSnapshot().height).toBe(2n)
    expect(conn.now(), 'a lower head block: the restarted chain\'s time').toBe(T - MIN)
  })

  it('takes a clock move as the first reading, and never steps back for one after a reading', async () => {
    const { chain, conn } = started({ block: 10n, time: T - 5 * MIN })
    const moved = conn.advanceTime(60)
    await new Promise((r) => setTimeout(r, 0))
    expect(conn.now(), 'known from the move, before its poll answers').toBe(T - 4 * MIN)
    await chain.answer()
    await moved
    expect(conn.now()).toBe(T - 4 * MIN)

    const ahead = started({ block: 10n, time: T + 60 * MIN })
    await ahead.poll()
    ahead.pass(30_000)
    // The chain's last block is 30 s old: a move of 10 s from it lands 20 s before the clock's estimate.
    const late = ahead.conn.advanceTime(10)
    await new Promise((r) => setTimeout(r, 0))
    expect(ahead.conn.now(), 'a move that measures less: no step back').toBe(T + 60 * MIN + 30_000)
    await ahead.chain.answer()
    await late
    expect(ahead.conn.now()).toBe(T + 60 * MIN + 30_000)
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

describe('SettlementConnection wallet: the gas price, for the low-gas warning', () => {
  /** A chain whose balances answer at once, and whose gas price answers `gasPrice` (a hex string) or fails. */
  const walletChain = (gasPrice: () => Promise<string>) =>
    ({
      chain: {
        tokenBalance: async () => 5n,
        gasBalance: async () => 7n,
        freeBalance: async () => 9n,
        publicClient: { request: async ({ method }: { method: string }) => (method === 'eth_gasPrice' ? gasPrice() : Promise.reject(new Error(`unexpected ${method}`))) },
      },
    }) as unknown as ChainSettlement

  it('reads the chain\'s gas price with the balances; one it cannot read is null, the balances still shown', async () => {
    const conn = new SettlementConnection(cfg)
    conn.useVaultKey('11'.repeat(32))
    conn.settlement = walletChain(async () => '0x3b9aca00')
    await conn.refreshWallet()
    expect(conn.getSnapshot().wallet).toMatchObject({ token: 5n, gas: 7n, free: 9n, gasPrice: 1_000_000_000n })
    conn.settlement = walletChain(async () => {
      throw new Error('method not supported')
    })
    await conn.refreshWallet()
    expect(conn.getSnapshot().wallet).toMatchObject({ token: 5n, gas: 7n, free: 9n, gasPrice: null })
  })

  it('budgets a dispute or a refute at 1,500,000 gas, over three times the measured 436,371, at the gas price read or else 10 gwei', () => {
    expect(DISPUTE_GAS).toBe(1_500_000n)
    expect(DISPUTE_GAS > 436_371n * 3n, 'over three times the dispute measured in bench/results.json').toBe(true)
    expect(disputeGasReserve(2_000_000_000n)).toBe(3_000_000_000_000_000n) // 0.003 ETH at 2 gwei
    expect(disputeGasReserve(null)).toBe(DISPUTE_GAS * ASSUMED_GAS_PRICE)
    expect(disputeGasReserve(null)).toBe(15_000_000_000_000_000n) // 0.015 ETH at 10 gwei
  })
})

describe('SettlementConnection.track: what the transactions of a call cost', () => {
  const GWEI = 1_000_000_000n
  const hash = (b: string) => `0x${b.repeat(32)}` as const
  const mined = (h: `0x${string}`, block: bigint, gasUsed: bigint, price: bigint | null) =>
    ({ stage: 'mined' as const, hash: h, block, gasUsed, effectiveGasPrice: price, fee: price === null ? null : gasUsed * price })

  it('sums every mined transaction of the call (an approval, then the deposit), the result\'s receipt replacing its mined stage', async () => {
    const conn = new SettlementConnection(cfg)
    conn.settlement = scriptedChain().settlement
    const approve = mined(hash('a1'), 7n, 46_000n, GWEI)
    const deposit = mined(hash('d2'), 8n, 90_292n, GWEI)
    const r = await conn.track('Deposit 5.00 USDC', async (onProgress) => {
      onProgress(approve)
      onProgress(deposit)
      // Confirmed after a reorganisation mined it again in block 9, at another price.
      const { stage: _, ...again } = mined(hash('d2'), 9n, 90_292n, 2n * GWEI)
      return again
    })
    expect(r?.fee).toBe(90_292n * 2n * GWEI)
    const [tx] = conn.getSnapshot().txs
    expect(tx).toMatchObject({ status: 'confirmed', hash: hash('d2'), block: 9n })
    expect(tx!.cost).toEqual({ gasUsed: 136_292n, fee: 46_000n * GWEI + 90_292n * 2n * GWEI, transactions: 2 })
  })

  it('has no fee when a receipt named no price, the gas still counted', async () => {
    const conn = new SettlementConnection(cfg)
    conn.settlement = scriptedChain().settlement
    await conn.track('Deposit 5.00 USDC', async (onProgress) => {
      onProgress(mined(hash('a1'), 7n, 46_000n, GWEI))
      const last = mined(hash('d2'), 8n, 90_292n, null)
      onProgress(last)
      const { stage: _, ...result } = last
      return result
    })
    expect(conn.getSnapshot().txs[0]!.cost).toEqual({ gasUsed: 136_292n, fee: null, transactions: 2 })
  })

  it('says what was mined before the call failed: an approval is paid even when the deposit is refused', async () => {
    const conn = new SettlementConnection(cfg)
    conn.settlement = scriptedChain().settlement
    await conn.track('Deposit 5.00 USDC', async (onProgress) => {
      onProgress(mined(hash('a1'), 7n, 46_000n, GWEI))
      throw chainErrorOf('INSUFFICIENT_FUNDS')
    })
    expect(conn.getSnapshot().txs[0]).toMatchObject({ status: 'failed', block: 7n, cost: { gasUsed: 46_000n, fee: 46_000n * GWEI, transactions: 1 } })
  })
})

describe('SettlementConnection: the account the trader chose, across reloads', () => {
  const VAULT_KEY = '11'.repeat(32)
  const CHOSEN = `0x${'c3'.repeat(20)}`
  const OTHER = `0x${'d4'.repeat(20)}`

  /** A kept choice in memory, and what was saved. */
  function store(kept: KeptAccountChoice = null) {
    const saved: AccountChoice[] = []
    let current = kept
    const s: AccountChoiceStore = {
      load: () => current,
      save: (c) => {
        saved.push(c)
        current = c
        return true
      },
    }
    return { s, saved }
  }

  /** A browser wallet that gives `accounts` without a prompt (eth_accounts) and on a prompt (eth_requestAccounts), on `chainId`; `hold` keeps eth_accounts waiting until released. */
  function wallet(accounts: string[], opts: { chainId?: number; prompted?: string[]; hold?: boolean } = {}) {
    const asked: string[] = []
    let release: () => void = () => {}
    const held = opts.hold ? new Promise<void>((r) => (release = r)) : Promise.resolve()
    const provider = {
      request: async ({ method }: { method: string }) => {
        asked.push(method)
        if (method === 'eth_accounts') {
          await held
          return accounts
        }
        if (method === 'eth_requestAccounts') return opts.prompted ?? accounts
        if (method === 'eth_chainId') return `0x${(opts.chainId ?? 31337).toString(16)}`
        throw new Error(`not asked for here: ${method}`)
      },
      on: () => {},
      removeListener: () => {},
    } as unknown as EIP1193Provider
    return { provider, asked, release: () => release() }
  }

  const settled = () => new Promise((r) => setTimeout(r, 0))

  it('no choice kept: the identity\'s key, nothing written', () => {
    const { s, saved } = store()
    const conn = new SettlementConnection(cfg, s)
    conn.connectChosen(VAULT_KEY, wallet([CHOSEN]).provider)
    expect(conn.getSnapshot().wallet?.kind).toBe('vault')
    expect(conn.getSnapshot().walletNotConnected).toBeNull()
    expect(saved).toEqual([])
  })

  it('the browser wallet chosen: reconnected without a prompt (eth_accounts) when it already lets the site see the account', async () => {
    const { s, saved } = store({ kind: 'injected', address: CHOSEN.slice(2) })
    const w = wallet([CHOSEN])
    const conn = new SettlementConnection(cfg, s)
    conn.connectChosen(VAULT_KEY, w.provider)
    expect(conn.getSnapshot().wallet, 'nothing connected while the wallet is asked').toBeNull()
    expect(conn.getSnapshot().walletNotConnected).toEqual({ address: CHOSEN.slice(2), reason: null })
    await settled()
    expect(conn.getSnapshot().wallet).toMatchObject({ kind: 'injected', address: CHOSEN.slice(2) })
    expect(conn.getSnapshot().wallet?.chosenBefore).toBeUndefined()
    expect(conn.getSnapshot().walletNotConnected).toBeNull()
    expect(w.asked).not.toContain('eth_requestAccounts')
    expect(conn.settlement.chain.account).toBe(CHOSEN.slice(2))
    expect(saved).toEqual([{ kind: 'injected', address: CHOSEN.slice(2) }])
  })

  it('a chosen wallet that gives no account, is absent or on another chain: not connected and why, never the identity\'s key in its place', async () => {
    const cases = [
      { provider: wallet([]).provider, reason: /^The wallet gives this site no account: it is locked, or this site is not connected to it\./ },
      { provider: undefined, reason: /^No browser wallet was found in this browser\.$/ },
      { provider: wallet([CHOSEN], { chainId: 1 }).provider, reason: /^The wallet is on chain 1; this deployment is on chain 31337\./ },
    ]
    for (const { provider, reason } of cases) {
      const { s, saved } = store({ kind: 'injected', address: CHOSEN.slice(2) })
      const conn = new SettlementConnection(cfg, s)
      conn.connectChosen(VAULT_KEY, provider)
      await settled()
      const snap = conn.getSnapshot()
      expect(snap.wallet).toBeNull()
      expect(snap.walletNotConnected?.address).toBe(CHOSEN.slice(2))
      expect(snap.walletNotConnected?.reason).toMatch(reason)
      expect(() => conn.settlement.chain.account, 'no account to sign with').toThrow('No EVM account is connected.')
      expect(saved, 'the choice stays as it was').toEqual([])
    }
  })

  it('from there the trader connects the wallet (a prompt) or uses the identity\'s key, each kept as the choice', async () => {
    const { s, saved } = store({ kind: 'injected', address: CHOSEN.slice(2) })
    const w = wallet([], { prompted: [CHOSEN] })
    const conn = new SettlementConnection(cfg, s)
    conn.connectChosen(VAULT_KEY, w.provider)
    await settled()
    expect(conn.getSnapshot().walletNotConnected?.reason).not.toBeNull()
    await conn.useInjectedWallet(w.provider)
    expect(w.asked).toContain('eth_requestAccounts')
    expect(conn.getSnapshot()).toMatchObject({ wallet: { kind: 'injected', address: CHOSEN.slice(2) }, walletNotConnected: null })
    conn.useVaultKey(VAULT_KEY)
    expect(conn.getSnapshot().wallet?.kind).toBe('vault')
    expect(saved).toEqual([{ kind: 'injected', address: CHOSEN.slice(2) }, { kind: 'vault' }])
  })

  it('a wallet that now gives another account: connected, said beside the one chosen, kept as the choice only once the trader takes it', async () => {
    const { s, saved } = store({ kind: 'injected', address: CHOSEN.slice(2) })
    const conn = new SettlementConnection(cfg, s)
    conn.connectChosen(VAULT_KEY, wallet([OTHER]).provider)
    await settled()
    expect(conn.getSnapshot().wallet).toMatchObject({ kind: 'injected', address: OTHER.slice(2), chosenBefore: CHOSEN.slice(2) })
    expect(saved, 'not kept yet').toEqual([])
    conn.keepWalletAccount()
    expect(conn.getSnapshot().wallet?.chosenBefore).toBeUndefined()
    expect(conn.getSnapshot().wallet?.address).toBe(OTHER.slice(2))
    expect(saved).toEqual([{ kind: 'injected', address: OTHER.slice(2) }])
  })

  it('a kept choice that cannot be read connects neither account, and says so', () => {
    const { s } = store({ kind: 'unreadable', reason: 'account choice: not JSON' })
    const conn = new SettlementConnection(cfg, s)
    conn.connectChosen(VAULT_KEY, wallet([CHOSEN]).provider)
    expect(conn.getSnapshot().wallet).toBeNull()
    expect(conn.getSnapshot().walletNotConnected).toEqual({ address: null, reason: "The account you chose on an earlier visit could not be read back from this browser's storage (account choice: not JSON)." })
  })

  it('a wallet that answers after the trader chose the identity\'s key changes nothing', async () => {
    const { s, saved } = store({ kind: 'injected', address: CHOSEN.slice(2) })
    const w = wallet([CHOSEN], { hold: true })
    const conn = new SettlementConnection(cfg, s)
    conn.connectChosen(VAULT_KEY, w.provider)
    await settled()
    conn.useVaultKey(VAULT_KEY)
    w.release()
    await settled()
    await settled()
    expect(conn.getSnapshot().wallet?.kind).toBe('vault')
    expect(conn.getSnapshot().walletNotConnected).toBeNull()
    expect(saved).toEqual([{ kind: 'vault' }])
  })

  it('a chosen wallet that does not answer is said after a while; its account still taken if it answers later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const { s } = store({ kind: 'injected', address: CHOSEN.slice(2) })
      const w = wallet([CHOSEN], { hold: true })
      const conn = new SettlementConnection(cfg, s)
      conn.connectChosen(VAULT_KEY, w.provider)
      await vi.advanceTimersByTimeAsync(WALLET_ANSWER_MS - 1)
      expect(conn.getSnapshot().walletNotConnected?.reason, 'still asking').toBeNull()
      await vi.advanceTimersByTimeAsync(1)
      expect(conn.getSnapshot().walletNotConnected).toEqual({ address: CHOSEN.slice(2), reason: 'The browser wallet has not answered in 10 seconds.' })
      expect(conn.getSnapshot().wallet).toBeNull()
      w.release()
      await vi.advanceTimersByTimeAsync(0)
      expect(conn.getSnapshot()).toMatchObject({ wallet: { kind: 'injected', address: CHOSEN.slice(2) }, walletNotConnected: null })
    } finally {
      vi.useRealTimers()
    }
  })

  it('the choice could not be kept: said on the account', async () => {
    const conn = new SettlementConnection(cfg, { load: () => null, save: () => false })
    await conn.useInjectedWallet(wallet([CHOSEN]).provider)
    expect(conn.getSnapshot().wallet?.choiceNotKept).toBe(true)
  })
})
