// The trader's channels, and the ways to start one: invite, accept, or the demo counterparty.
import { fingerprint } from '../../core/index.ts'
import type { ChannelRecord } from './channelRecords.ts'

export type ChannelPick = { kind: 'channel'; channelId: string } | { kind: 'new' } | { kind: 'accept' } | { kind: 'demo' }

export function ChannelList({ records, selected, onPick, damaged }: { records: readonly ChannelRecord[]; selected: ChannelPick | null; onPick: (p: ChannelPick) => void; damaged: readonly string[] }) {
  const is = (p: ChannelPick) => JSON.stringify(p) === JSON.stringify(selected)
  return (
    <section className="card" aria-labelledby="channels-title">
      <h2 id="channels-title">Channels</h2>
      {records.length === 0 && <p className="muted small">No channels yet.</p>}
      <ul className="channel-list">
        {records.map((r) => {
          const peer = r.me === 'A' ? r.params.partyB : r.params.partyA
          const pick: ChannelPick = { kind: 'channel', channelId: r.channelId }
          return (
            <li key={r.channelId}>
              <button type="button" className={`secondary wide ${is(pick) ? 'selected' : ''}`} aria-current={is(pick) ? 'page' : undefined} onClick={() => onPick(pick)} data-testid={`channel-${r.channelId.slice(0, 8)}`}>
                <strong>{r.label}</strong>
                <span className="muted mono small"> {fingerprint(peer).slice(0, 11)}</span>
              </button>
            </li>
          )
        })}
      </ul>
      {damaged.map((d) => (
        <p key={d} className="error small">Stored channel entry could not be read: {d}</p>
      ))}
      <div className="row">
        <button type="button" onClick={() => onPick({ kind: 'new' })}>New channel</button>
        <button type="button" className="secondary" onClick={() => onPick({ kind: 'accept' })}>Accept invite</button>
        <button type="button" className="secondary" onClick={() => onPick({ kind: 'demo' })}>Trade with demo desk</button>
      </div>
    </section>
  )
}
