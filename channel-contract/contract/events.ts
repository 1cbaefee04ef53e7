// Every effect of the contract emits one event. The node numbers them (seq) and pushes them.
import type { Hex, PublicKeyHex } from '../../core/index.ts'

export type ContractEvent =
  | { readonly type: 'Deposited'; readonly account: PublicKeyHex; readonly amount: bigint; readonly balance: bigint }
  | { readonly type: 'Withdrawn'; readonly account: PublicKeyHex; readonly amount: bigint; readonly balance: bigint }
  /** Dev faucet credit; counts as a deposit for conservation. */
  | { readonly type: 'FaucetCredited'; readonly account: PublicKeyHex; readonly amount: bigint; readonly balance: bigint }
  | {
      readonly type: 'ChannelOpened'
      readonly channelId: Hex
      readonly partyA: PublicKeyHex
      readonly partyB: PublicKeyHex
      readonly amountA: bigint
      readonly amountB: bigint
    }
  | { readonly type: 'ChannelClosed'; readonly channelId: Hex; readonly version: number; readonly paidA: bigint; readonly paidB: bigint }
  | { readonly type: 'DisputeStarted'; readonly channelId: Hex; readonly version: number; readonly deadline: number; readonly by: PublicKeyHex }
  | { readonly type: 'DisputeRefuted'; readonly channelId: Hex; readonly version: number; readonly deadline: number; readonly by: PublicKeyHex }
  | {
      readonly type: 'ChannelFinalized'
      readonly channelId: Hex
      readonly version: number
      readonly paidA: bigint
      readonly paidB: bigint
      /** Positions whose collateral stays locked until they settle or are refunded. */
      readonly lockedPositions: readonly Hex[]
    }
  | {
      readonly type: 'PositionSettled'
      readonly channelId: Hex
      readonly positionId: Hex
      readonly price: bigint
      readonly toA: bigint
      readonly toB: bigint
    }
  | { readonly type: 'PositionRefunded'; readonly channelId: Hex; readonly positionId: Hex; readonly toA: bigint; readonly toB: bigint }

export type ContractEventType = ContractEvent['type']
