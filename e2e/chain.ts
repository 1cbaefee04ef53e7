// The test's own view of the chain (what a block explorer would show): clock, balances to the
// minor unit, channels and their events, and calls as a given party (its EVM key comes from its
// identity, exactly as the app derives it). Tests use it to move the dev chain's clock and to act
// as a cheating counterparty; the app under test never sees it.
import { privateKeyToAccount } from 'viem/accounts'
import { settlementOf, walletOf, type ChainEvent, type ChainSettlement, type SettlementChannelView } from '../channel-contract/client/index.ts'
import type { ChainConfig } from '../channel-contract/chain/config.ts'
import { channelIdOf, evmKeyOf, type AddressHex, type ChannelParams, type KeyPair, type SignedState } from '../core/index.ts'

export class TestChain {
  readonly reader: ChainSettlement

  constructor(readonly cfg: ChainConfig) {
    this.reader = settlementOf(cfg)
  }

  /** The party `keys` acting on chain with the EVM key its app uses. */
  as(keys: KeyPair): ChainSettlement {
    return settlementOf(this.cfg, walletOf(this.cfg, privateKeyToAccount(`0x${evmKeyOf(keys.secretKey).privateKey}`)))
  }

  evmOf(keys: KeyPair): AddressHex {
    return evmKeyOf(keys.secretKey).address
  }

  /** The chain's clock (ms). */
  async now(): Promise<number> {
    return (await this.reader.chain.head()).time
  }

  /** Dev chain: moves the clock forward by `ms` (rounded up to whole seconds) and mines a block. */
  async advanceClock(ms: number): Promise<number> {
    return (await this.reader.chain.advanceTime(Math.max(1, Math.ceil(ms / 1000)))).time
  }

  /** Free balance in the contract, in minor units. */
  freeBalance(evm: AddressHex): Promise<bigint> {
    return this.reader.chain.freeBalance(evm)
  }

  tokenBalance(evm: AddressHex): Promise<bigint> {
    return this.reader.chain.tokenBalance(evm)
  }

  /** The channels opened with `evm` as a party, from ChannelOpened events. */
  channelsOf(evm: AddressHex): Promise<ChannelParams[]> {
    return this.reader.chain.channelsOf(evm)
  }

  /** The one channel of `evm` (the last opened), its id and params. */
  async channelOf(evm: AddressHex): Promise<{ channelId: string; params: ChannelParams }> {
    const all = await this.channelsOf(evm)
    const params = all.at(-1)
    if (!params) throw new Error(`no channel of 0x${evm} on chain`)
    return { channelId: channelIdOf(params), params }
  }

  view(params: ChannelParams, states: readonly SignedState[] = []): Promise<SettlementChannelView | null> {
    return this.reader.view(params, states)
  }

  events(params: ChannelParams): Promise<ChainEvent[]> {
    return this.reader.channelEvents(params)
  }
}
