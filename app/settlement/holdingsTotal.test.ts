import { describe, expect, it } from 'vitest'
import type { ChannelState, Position } from '../../core/index.ts'
import { channelAccount, channelHolding, channelsByAccount, holdingsTotal, inChannelsOf, type ChannelHolding, type HoldingChainView } from './holdingsTotal.ts'

const usdc = (n: number) => BigInt(n) * 1_000_000n
const pos = (id: string, lockA: number, lockB: number) => ({ id, lockA: usdc(lockA), lockB: usdc(lockB) }) as unknown as Position
/** The fields of a state the total reads: both balances and the positions' locks. */
const state = (balanceA: number, balanceB: number, positions: readonly Position[] = []) => ({ balanceA: usdc(balanceA), balanceB: usdc(balanceB), positions }) as unknown as ChannelState
const onChain = (status: HoldingChainView['status'], over: Partial<HoldingChainView> = {}): HoldingChainView => ({ status, lockedPositions: null, lockedCount: 0, paidOut: [], ...over })
const channel = (counterparty: string, over: Partial<ChannelHolding> = {}): ChannelHolding => ({ counterparty, me: 'A', state: state(40_000, 60_000), chain: onChain('open'), ...over })
const wallet = { token: usdc(5_000), free: usdc(100_000) }

describe('holdingsTotal: the trader\'s money in the asset', () => {
  it('adds the wallet, the free balance and the trader\'s side of each open channel (balance and own locks), complete when all is read', () => {
    const t = holdingsTotal(wallet, [
      channel('Desk A', { state: state(40_000, 60_000, [pos('p1', 1_500, 0), pos('p2', 250, 9_999)]) }),
      channel('Desk B', { me: 'B', state: state(10_000, 30_000, [pos('p3', 7, 2_000)]) }),
    ])
    expect(t.missing).toEqual([])
    // A: 40,000 + 1,500 + 250 locked; B: 30,000 + 2,000 locked. Not the counterparty's side.
    expect(t.inChannels).toBe(usdc(40_000 + 1_750 + 32_000))
    expect(t.counted).toBe(2)
    expect(t.parts).toEqual([usdc(5_000), usdc(100_000), usdc(73_750)])
  })

  it('counts a channel the contract never opened as 0 (its deposit is still in the free balance) and a closed one as 0 (paid out into it)', () => {
    const t = holdingsTotal(wallet, [channel('Invited', { chain: null }), channel('Closed', { chain: onChain('closed') }), channel('Open')])
    expect(t.inChannels).toBe(usdc(40_000))
    expect(t.counted).toBe(1)
    expect(t.missing).toEqual([])
  })

  it('is partial, naming each part not read yet, and never counts a guess for it', () => {
    const t = holdingsTotal({ token: null, free: usdc(100_000) }, [
      channel('Desk A', { chain: undefined }),
      channel('Desk B', { state: null }),
      channel('Desk C', { state: undefined }),
      channel('Desk D'),
    ])
    expect(t.missing).toEqual([
      'your wallet',
      'your channel with Desk A (the contract not read yet)',
      'your channel with Desk B (no state signed by both held here yet)',
      'your channel with Desk C (no state signed by both held here yet)',
    ])
    expect(t.parts).toEqual([usdc(100_000), usdc(40_000)])
    expect(holdingsTotal(null, []).missing).toEqual(['your wallet', 'your free balance in the contract'])
    expect(holdingsTotal(wallet, null).missing).toEqual(['your channel list'])
  })

  it('after a dispute: a disputed channel counts the latest state held; a finalized one only the locks the contract still holds', () => {
    expect(channelHolding(channel('D', { chain: onChain('disputed') }))).toEqual({ amount: usdc(40_000) })
    const s = state(40_000, 60_000, [pos('p1', 1_000, 0), pos('p2', 300, 0)])
    // Balances paid into the free balance; p1 paid out by the contract, p2 still locked.
    expect(channelHolding(channel('F', { state: s, chain: onChain('finalized', { lockedPositions: [pos('p2', 300, 0)], lockedCount: 1 }) }))).toEqual({ amount: usdc(300) })
    expect(channelHolding(channel('F', { state: null, chain: onChain('finalized', { lockedCount: 2 }) }))).toHaveProperty('unknown')
    expect(channelHolding(channel('F', { state: null, chain: onChain('finalized', { lockedCount: 0 }) }))).toEqual({ amount: 0n })
  })

  it('a finalized channel still holding positions counts as a channel the contract holds, though none of its collateral is the trader\'s; one that paid everything out does not', () => {
    const bought = state(40_000, 60_000, [pos('p1', 0, 3_800)]) // the trader bought: only the seller locked
    const t = holdingsTotal(wallet, [channel('F', { state: bought, chain: onChain('finalized', { lockedPositions: [pos('p1', 0, 3_800)], lockedCount: 1 }) })])
    expect(t).toMatchObject({ inChannels: 0n, counted: 1, missing: [] })
    expect(holdingsTotal(wallet, [channel('F', { state: bought, chain: onChain('finalized', { lockedPositions: [], lockedCount: 0 }) })]).counted).toBe(0)
  })
})

describe('channelsByAccount: only the channels of the account shown are counted', () => {
  const VAULT = 'aa'.repeat(20)
  const BROWSER = 'bb'.repeat(20)
  const PEER = 'cc'.repeat(20)
  const tied = (label: string, me: 'A' | 'B', mine: string, other = PEER) => ({ label, me, params: me === 'A' ? { evmA: mine, evmB: other } : { evmA: other, evmB: mine } })

  it('the trader\'s side is tied to the params\' evmA as party A, evmB as party B (never the counterparty\'s)', () => {
    expect(channelAccount(tied('x', 'A', VAULT))).toBe(VAULT)
    expect(channelAccount(tied('x', 'B', VAULT))).toBe(VAULT)
    expect(channelAccount({ me: 'A', params: { evmA: '0'.repeat(40), evmB: PEER } }), 'no EVM account: never on a chain').toBeNull()
  })

  it('splits the channels by the account shown; the other account\'s are apart, a channel with no account stays shown', () => {
    const channels = [tied('Desk A', 'A', VAULT), tied('Desk B', 'B', BROWSER), tied('Desk C', 'B', VAULT), { label: 'Ledger', me: 'A' as const, params: { evmA: '0'.repeat(40), evmB: '0'.repeat(40) } }]
    const afterSwitch = channelsByAccount(channels, BROWSER)
    expect(afterSwitch.shown.map((c) => c.label)).toEqual(['Desk B', 'Ledger'])
    expect(afterSwitch.other.map((c) => c.label)).toEqual(['Desk A', 'Desk C'])
    expect(channelsByAccount(channels, VAULT).other.map((c) => c.label)).toEqual(['Desk B'])
    expect(channelsByAccount(channels, BROWSER.toUpperCase()).shown.map((c) => c.label), 'an address compares in any case').toEqual(['Desk B', 'Ledger'])
    expect(channelsByAccount(channels, null), 'no account read yet: none can be told apart').toEqual({ shown: channels, other: [] })
  })

  it('the other account\'s channels add up as the total\'s would, a floor while one is not read', () => {
    const part = inChannelsOf([channel('Desk A'), channel('Desk C', { me: 'B', state: state(10_000, 30_000, [pos('p1', 0, 500)]) }), channel('Desk D', { chain: undefined })])
    expect(part).toEqual({ amount: usdc(40_000 + 30_500), counted: 2, missing: ['your channel with Desk D (the contract not read yet)'] })
  })
})
