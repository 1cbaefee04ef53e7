// The list of channels to restore names the trader's own side and both sides' total, never the total
// alone as if it were theirs; the state the contract holds, with its date, when a dispute put one there.
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { NO_EVM_BINDING, channelIdOf, fingerprint, generateKeyPair, type ChannelParams, type ChannelState } from '../../core/index.ts'
import { FoundChannelLine, sideAtOpening, sideInHeldState, type FoundChannel } from './RestoreChannels.tsx'

const alice = generateKeyPair()
const bob = generateKeyPair()
// Alice is B.
const params: ChannelParams = { contractId: 'c0'.repeat(32), ...NO_EVM_BINDING, partyA: bob.publicKey, partyB: alice.publicKey, nonce: '11'.repeat(32), challengePeriod: 3_600_000, asset: 'USDC', assetDecimals: 6, oracle: generateKeyPair().publicKey }
const id = channelIdOf(params)
const usdc = (n: number) => BigInt(n) * 1_000_000n
const found = (over: Partial<FoundChannel> = {}): FoundChannel => ({ channelId: id, params, status: 'open', holdings: usdc(100_000), side: null, ...over })
const line = (c: FoundChannel) => renderToStaticMarkup(<FoundChannelLine found={c} me="B" />).replace(/<[^>]+>/g, '')
const head = `${id.slice(0, 8)} with ${fingerprint(bob.publicKey).slice(0, 11)}`

describe('FoundChannelLine', () => {
  it("names the trader's own side at opening and both sides' total (from the contract's ChannelOpened amounts)", () => {
    // The contract's event: A (Bob) put in 60,000, B (Alice) 40,000.
    const side = sideAtOpening({ args: { amountA: usdc(60_000), amountB: usdc(40_000) } }, 'B')
    expect(line(found({ side }))).toBe(`${head}, open: your side 40,000.00 USDC of 100,000.00 USDC at opening`)
  })

  it('names the state the contract holds after a dispute, with its version, its date and its open positions; and what is still held after payouts', () => {
    const state = { version: 12, timestamp: Date.UTC(2026, 2, 9, 14, 2), deposited: usdc(100_000), balanceA: usdc(51_000), balanceB: usdc(48_100), positions: [{}, {}] } as unknown as ChannelState
    expect(line(found({ status: 'disputed', side: sideInHeldState(state, 'B') }))).toBe(
      `${head}, disputed: your side 48,100.00 USDC of 100,000.00 USDC in v12 of 2026-03-09 14:02 UTC, the state the contract holds, with 2 open positions`,
    )
    expect(line(found({ status: 'finalized', holdings: usdc(900), side: sideInHeldState({ ...state, positions: [{}] } as unknown as ChannelState, 'B') }))).toBe(
      `${head}, finalized: your side 48,100.00 USDC of 100,000.00 USDC in v12 of 2026-03-09 14:02 UTC, the state the contract holds, with 1 open position; 900.00 USDC still held`,
    )
  })

  it('says the holdings are both sides\' when the side could not be read', () => {
    expect(line(found())).toBe(`${head}, open: 100,000.00 USDC held for both sides`)
  })

  it('reads no side from an event without the amounts', () => {
    expect(sideAtOpening({ args: {} }, 'A')).toBeNull()
  })
})
