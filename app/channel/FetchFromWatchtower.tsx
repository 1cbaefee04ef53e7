// "Fetch the latest state from the watchtower": for a restored channel that has no co-signed state
// yet (the counterparty has not been online since). Says what happened in words; a watchtower that
// is not configured, does not answer, refuses, or sends a state that fails the checks changes nothing.
import { useState } from 'react'
import type { KeyPair } from '../../core/index.ts'
import type { ChannelSession } from '../../core/sync/index.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { failureOf, type Failure } from '../failure.ts'
import { FailureText } from '../FailureText.tsx'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { fetchFromWatchtower } from './watchtowerRestore.ts'

type Status = { readonly kind: 'idle' } | { readonly kind: 'fetching' } | { readonly kind: 'failed'; readonly failure: Failure } | { readonly kind: 'older'; readonly version: number; readonly latest: number }

export function FetchFromWatchtower({ session, record, keys }: { session: ChannelSession; record: ChannelRecord; keys: KeyPair }) {
  const { conn } = useSettlement()
  const [status, setStatus] = useState<Status>({ kind: 'idle' })
  const url = conn.settlement.watchtowerUrl
  if (!url) {
    return <p className="muted small" data-testid="watchtower-fetch-status">No watchtower is configured here, so the state can come only from {record.label}'s copy.</p>
  }
  const fetchIt = async () => {
    setStatus({ kind: 'fetching' })
    try {
      const r = await fetchFromWatchtower(conn.settlement, session, record.params, keys, Date.now())
      // Adopted: the screen now shows the state and says where it came from.
      setStatus(r.latestVersion === r.got.version ? { kind: 'idle' } : { kind: 'older', version: r.got.version, latest: r.latestVersion })
    } catch (e) {
      setStatus({ kind: 'failed', failure: failureOf(e) })
    }
  }
  return (
    <div className="watchtower-fetch">
      <button type="button" className="secondary" data-testid="watchtower-fetch" disabled={status.kind === 'fetching'} onClick={() => void fetchIt()}>
        Fetch the latest state from the watchtower
      </button>{' '}
      <span className="muted small">It is checked here (both parties' signatures, this channel, the deposit) before it is used.</span>
      {status.kind === 'fetching' && <p className="muted small" role="status" data-testid="watchtower-fetch-status">Asking the watchtower at {url}…</p>}
      {status.kind === 'failed' && (
        <p className="error small" role="alert" data-testid="watchtower-fetch-status">
          Nothing changed: <FailureText failure={status.failure} />
        </p>
      )}
      {status.kind === 'older' && (
        <p className="muted small" role="status" data-testid="watchtower-fetch-status">
          The watchtower holds v{status.version}; this device already has v{status.latest}. Nothing changed.
        </p>
      )}
    </div>
  )
}
