// Channels the settlement node knows for this key but this browser does not (site data cleared, a
// new machine): after importing the key backup, the trader restores each one from the
// counterparty's copy. The node gives the params (public on chain); the room secret is derived from
// both keys (core/sync/invite.ts), so nothing else is needed. The session then accepts the latest
// state from the counterparty's document only with both parties' valid signatures on a chain that
// starts at a co-signed root (core/sync/engine.ts).
import { useCallback, useEffect, useState } from 'react'
import { channelIdOf, fingerprint, formatUnits, otherParty, partyKey, partyOf, type KeyPair } from '../../core/index.ts'
import { channelRoomSecret } from '../../core/sync/index.ts'
import type { ChannelView } from '../../channel-contract/index.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { describeFailure } from '../settlement/connection.ts'
import type { ChannelRecord } from './channelRecords.ts'

/** The record a restore starts from: no deposits to approve (version 0 is long co-signed), flagged as restored. */
export function restoredRecord(keys: KeyPair, view: ChannelView, now: number): ChannelRecord {
  // The node is not trusted for this: the id must be the params' own, and this key a party.
  if (channelIdOf(view.params) !== view.channelId) throw new Error(`channel ${view.channelId.slice(0, 12)}…: the node's params do not hash to this channel id`)
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
  const [found, setFound] = useState<ChannelView[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const nodeUp = snap.info !== null

  const look = useCallback(async () => {
    try {
      setFound(await conn.client.channelsOf(keys.publicKey))
      setError(null)
    } catch (e) {
      setError(describeFailure(e))
    }
  }, [conn, keys.publicKey])

  useEffect(() => {
    if (nodeUp) void look()
  }, [nodeUp, look, known.length])

  const missing = (found ?? []).filter((c) => c.status !== 'closed' && !known.some((r) => r.channelId === c.channelId))
  if (missing.length === 0 && !error) return null
  const restore = async (c: ChannelView) => {
    try {
      await onRestore(restoredRecord(keys, c, Date.now()))
    } catch (e) {
      setError(describeFailure(e))
    }
  }
  return (
    <section className="card" aria-labelledby="restore-title">
      <h2 id="restore-title">Channels to restore</h2>
      {error && <p className="error small" role="alert">Could not list your channels on the settlement node: {error}</p>}
      {missing.length > 0 && (
        <p className="small muted">
          The settlement node holds {missing.length === 1 ? 'a channel' : `${missing.length} channels`} of your key that this browser does not know (site data cleared?).
          Restore fetches the latest state from your counterparty's copy when they are online, and accepts it only with both signatures verified.
        </p>
      )}
      <ul className="channel-list">
        {missing.map((c) => {
          const me = partyOf(c.params, keys.publicKey)
          const peer = me ? partyKey(c.params, otherParty(me)) : c.params.partyA
          return (
            <li key={c.channelId} data-testid={`restore-${c.channelId.slice(0, 8)}`}>
              <span className="mono small">{c.channelId.slice(0, 8)}</span> with <span className="mono small">{fingerprint(peer).slice(0, 11)}</span>, {c.status},{' '}
              {formatUnits(c.holdings, c.params.assetDecimals)} {c.params.asset} held
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
