// Channels the contract's events name for this trader's EVM account but this browser does not know
// (site data cleared, a new machine): after importing the key backup (which restores the EVM key
// too), the trader restores each one from the counterparty's copy. The ChannelOpened events give
// the params (indexed by both parties' addresses); the room secret is derived from
// both keys (core/sync/invite.ts), so nothing else is needed. The session then accepts the latest
// state from the counterparty's document only with both parties' valid signatures on a chain that
// starts at a co-signed root (core/sync/engine.ts).
import { useCallback, useEffect, useState } from 'react'
import { channelIdOf, fingerprint, otherParty, partyKey, partyOf, type KeyPair } from '../../core/index.ts'
import { Money } from '../money/Money.tsx'
import { channelRoomSecret } from '../../core/sync/index.ts'
import type { ChannelParams } from '../../core/index.ts'
import type { ChannelStatusOnChain } from '../../channel-contract/client/index.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { failureOf, type Failure } from '../failure.ts'
import { FailureText } from '../FailureText.tsx'
import type { ChannelRecord } from './channelRecords.ts'

/** The record a restore starts from: no deposits to approve (version 0 is long co-signed), flagged as restored. */
/** A channel of this trader found on chain. */
export interface FoundChannel {
  readonly channelId: string
  readonly params: ChannelParams
  readonly status: ChannelStatusOnChain
  readonly holdings: bigint
}

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

  const look = useCallback(async () => {
    if (!address) return
    try {
      const chain = conn.settlement.chain
      const all = await chain.channelsOf(address)
      setFound(
        await Promise.all(
          all.map(async (params) => {
            const channelId = channelIdOf(params)
            const c = await chain.channel(channelId)
            return { channelId, params, status: c.status, holdings: c.holdings }
          }),
        ),
      )
      setError(null)
    } catch (e) {
      setError(failureOf(e))
    }
  }, [conn, address])

  // Read again when a channel opens on the contract: one abandoned here (never opened then) may be opened after all.
  const opens = snap.events.filter((e) => e.type === 'ChannelOpened').length
  useEffect(() => {
    if (nodeUp) void look()
  }, [nodeUp, look, known.length, opens])

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
        {missing.map((c) => {
          const me = partyOf(c.params, keys.publicKey)
          const peer = me ? partyKey(c.params, otherParty(me)) : c.params.partyA
          return (
            <li key={c.channelId} data-testid={`restore-${c.channelId.slice(0, 8)}`}>
              <span className="mono small">{c.channelId.slice(0, 8)}</span> with <span className="mono small">{fingerprint(peer).slice(0, 11)}</span>, {c.status},{' '}
              <Money minor={c.holdings} decimals={c.params.assetDecimals} asset={c.params.asset} /> held
              <button type="button" className="secondary" onClick={() => void restore(c)} aria-label={`Restore channel ${c.channelId.slice(0, 8)} from the counterparty`}>
                Restore
              </button>
            </li>
          )
        })}
      </ul>
    </section>
  )
}
