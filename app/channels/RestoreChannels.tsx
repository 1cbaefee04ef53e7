// Channels the contract's events name for this trader's EVM account but this browser does not know
// (site data cleared, a new machine): after importing the key backup (which restores the EVM key
// too), the trader restores each one from the counterparty's copy. The ChannelOpened events give
// the params (indexed by both parties' addresses); the room secret is derived from
// both keys (core/sync/invite.ts), so nothing else is needed. The session then accepts the latest
// state from the counterparty's document only with both parties' valid signatures on a chain that
// starts at a co-signed root (core/sync/engine.ts).
import { useCallback, useEffect, useState } from 'react'
import { channelIdOf, fingerprint, otherParty, partyKey, partyOf, type ChannelState, type KeyPair, type Party } from '../../core/index.ts'
import { countOf } from '../../core/words.ts'
import { Money } from '../money/Money.tsx'
import { channelRoomSecret } from '../../core/sync/index.ts'
import type { ChannelParams } from '../../core/index.ts'
import type { ChainEvent, ChainSettlement, ChannelStatusOnChain } from '../../channel-contract/client/index.ts'
import { formatUtc } from '../risk/format.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { failureOf, type Failure } from '../failure.ts'
import { FailureText } from '../FailureText.tsx'
import type { ChannelRecord } from './channelRecords.ts'

/** A channel of this trader found on chain. */
export interface FoundChannel {
  readonly channelId: string
  readonly params: ChannelParams
  readonly status: ChannelStatusOnChain
  /** What the contract holds for the channel now, both sides together. */
  readonly holdings: bigint
  /** This trader's side as the contract knows it; null when not read (the list shows the holdings alone). */
  readonly side: SideOnChain | null
}

/**
 * This trader's side of a channel as the contract knows it: the opening deposits (the states an open
 * channel co-signed since are off chain: they come with the restore), or the state a dispute put on
 * the contract.
 */
export interface SideOnChain {
  readonly mine: bigint
  /** Both sides' total in that state: the channel's deposit. */
  readonly total: bigint
  /** The state the contract holds (disputed or finalized): its version, when it was proposed, its open positions; null for the opening. */
  readonly held: { readonly version: number; readonly timestamp: number; readonly positions: number } | null
}

/** My side at opening, from the contract's ChannelOpened event (its amounts per party); null when the event does not carry them. */
export function sideAtOpening(opened: Pick<ChainEvent, 'args'>, me: Party): SideOnChain | null {
  const { amountA, amountB } = opened.args
  if (typeof amountA !== 'bigint' || typeof amountB !== 'bigint') return null
  return { mine: me === 'A' ? amountA : amountB, total: amountA + amountB, held: null }
}

/** My side in the state the contract holds after a dispute. */
export function sideInHeldState(state: ChannelState, me: Party): SideOnChain {
  return { mine: me === 'A' ? state.balanceA : state.balanceB, total: state.deposited, held: { version: state.version, timestamp: state.timestamp, positions: state.positions.length } }
}

/** My side on the contract: the state it holds when a dispute put one there and it can be read back, else the opening. */
async function sideOnChain(settlement: ChainSettlement, params: ChannelParams, status: ChannelStatusOnChain, me: Party): Promise<SideOnChain | null> {
  if (status === 'disputed' || status === 'finalized') {
    const view = await settlement.view(params)
    if (view?.held?.known) return sideInHeldState(view.held.state, me)
  }
  const opened = (await settlement.channelEvents(params)).find((e) => e.type === 'ChannelOpened')
  return opened ? sideAtOpening(opened, me) : null
}

/** The record a restore starts from: no deposits to approve (version 0 is long co-signed), flagged as restored. */
export function restoredRecord(keys: KeyPair, view: Pick<FoundChannel, 'channelId' | 'params'>, now: number): ChannelRecord {
  // The RPC node is not trusted for this: the id must be the params' own, and this key a party.
  if (channelIdOf(view.params) !== view.channelId) throw new Error(`channel ${view.channelId.slice(0, 12)}…: the chain's params do not hash to this channel id`)
  const me = partyOf(view.params, keys.publicKey)
  if (!me) throw new Error(`channel ${view.channelId.slice(0, 12)}…: your key is not a party of it`)
  const peer = partyKey(view.params, otherParty(me))
  return {
    channelId: view.channelId,
    params: view.params,
    me,
    roomSecret: channelRoomSecret(keys.secretKey, view.params, me),
    deposits: { A: 0n, B: 0n },
    label: `peer ${fingerprint(peer).slice(0, 5)}`,
    createdAt: now,
    restoredAt: now,
  }
}

export function RestoreChannels({ keys, known, onRestore }: { keys: KeyPair; known: readonly ChannelRecord[]; onRestore: (r: ChannelRecord) => Promise<void> }) {
  const { conn, snap } = useSettlement()
  const [found, setFound] = useState<FoundChannel[] | null>(null)
  const [error, setError] = useState<Failure | null>(null)
  const nodeUp = snap.info !== null
  const address = snap.wallet?.address ?? null

  const knownIds = known.map((r) => r.channelId).join(',')
  const look = useCallback(async () => {
    if (!address) return
    try {
      const chain = conn.settlement.chain
      const all = await chain.channelsOf(address)
      const here = new Set(knownIds.split(','))
      setFound(
        await Promise.all(
          all.map(async (params) => {
            const channelId = channelIdOf(params)
            const c = await chain.channel(channelId)
            const me = partyOf(params, keys.publicKey)
            // Only for the channels listed (a scan of the channel's events each). A side that cannot
            // be read leaves the line with the holdings alone: the channel can be restored all the same.
            const listed = me !== null && c.status !== 'closed' && !here.has(channelId)
            const side = listed ? await sideOnChain(conn.settlement, params, c.status, me).catch(() => null) : null
            return { channelId, params, status: c.status, holdings: c.holdings, side }
          }),
        ),
      )
      setError(null)
    } catch (e) {
      setError(failureOf(e))
    }
  }, [conn, address, keys.publicKey, knownIds])

  // Read again when a channel opens on the contract: one abandoned here (never opened then) may be opened after all.
  const opens = snap.events.filter((e) => e.type === 'ChannelOpened').length
  useEffect(() => {
    if (nodeUp) void look()
  }, [nodeUp, look, opens])

  const missing = (found ?? []).filter((c) => c.status !== 'closed' && partyOf(c.params, keys.publicKey) !== null && !known.some((r) => r.channelId === c.channelId))
  if (missing.length === 0 && !error) return null
  const restore = async (c: FoundChannel) => {
    try {
      await onRestore(restoredRecord(keys, c, Date.now()))
    } catch (e) {
      setError(failureOf(e))
    }
  }
  return (
    <section className="card" aria-labelledby="restore-title">
      <h2 id="restore-title">Channels to restore</h2>
      {error && <p className="error small" role="alert">Could not list your channels on the chain: <FailureText failure={error} /></p>}
      {missing.length > 0 && (
        <p className="small muted">
          The contract holds {missing.length === 1 ? 'a channel' : `${missing.length} channels`} of your account that this browser does not know (site data cleared?).
          Restore fetches the latest state from your counterparty's copy when they are online, and accepts it only with both signatures verified; while
          they are offline, the channel's screen can fetch it from the watchtower (checked the same way).
        </p>
      )}
      <ul className="channel-list">
        {missing.map((c) => (
          <li key={c.channelId} data-testid={`restore-${c.channelId.slice(0, 8)}`}>
            <FoundChannelLine found={c} me={partyOf(c.params, keys.publicKey)} />{' '}
            <button type="button" className="secondary" onClick={() => void restore(c)} aria-label={`Restore channel ${c.channelId.slice(0, 8)} from the counterparty`}>
              Restore
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}

/**
 * A channel to restore as the list names it: its id, the counterparty, its status, and the trader's
 * own side of both sides' total ("your side 50,000.00 USDC of 100,000.00 USDC at opening"), in the
 * state the contract holds with its date when a dispute put one there. What the contract still holds
 * is added when it differs (payouts after a finalize).
 */
export function FoundChannelLine({ found: c, me }: { found: FoundChannel; me: Party | null }) {
  const peer = me ? partyKey(c.params, otherParty(me)) : c.params.partyA
  const money = (minor: bigint) => <Money minor={minor} decimals={c.params.assetDecimals} asset={c.params.asset} />
  const side = c.side
  const held = side?.held ?? null
  return (
    <>
      <span className="mono small">{c.channelId.slice(0, 8)}</span> with <span className="mono small">{fingerprint(peer).slice(0, 11)}</span>, {c.status}:{' '}
      {side === null ? (
        <>{money(c.holdings)} held for both sides</>
      ) : (
        <>
          your side {money(side.mine)} of {money(side.total)}
          {held === null ? ' at opening' : ` in v${held.version} of ${formatUtc(held.timestamp)}, the state the contract holds${held.positions > 0 ? `, with ${countOf(held.positions, 'open position')}` : ''}`}
          {c.holdings !== side.total && <>; {money(c.holdings)} still held</>}
        </>
      )}
    </>
  )
}
