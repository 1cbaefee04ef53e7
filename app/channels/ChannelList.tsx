// The trader's channels, and the ways to start one: invite, accept, or the demo counterparty. A
// channel the contract never opened can be abandoned (abandon.ts), after a check on the contract;
// a demo desk it was with is then asked to free its slot, and the list says what it answered. A
// stored entry the app cannot read is shown with what is wrong and kept; the trader may save a copy
// of it and remove it. Each counterparty can be renamed here, where every channel's name shows (a
// restored one starts as "peer" and its key's fingerprint): the name is the trader's own, kept in
// their record only.
import { useState } from 'react'
import { fingerprint, type KeyPair } from '../../core/index.ts'
import { failureOf, type Failure } from '../failure.ts'
import { FailureText } from '../FailureText.tsx'
import { useSettlement } from '../settlement/useSettlement.ts'
import { abandonCheck, type AbandonNotice } from './abandon.ts'
import { downloadText } from '../download.ts'
import { jsonText } from '../unread.ts'
import { LabelError, MAX_LABEL_CHARS, counterpartyName, type ChannelRecord, type DamagedEntry } from './channelRecords.ts'
import { needingAction, type ChannelAttention } from './attention.ts'
import { useChannelAttention } from './useChannelAttention.ts'

export type ChannelPick = { kind: 'channel'; channelId: string } | { kind: 'new' } | { kind: 'accept' } | { kind: 'demo' }

export function ChannelList({ records, keys, selected, onPick, damaged, onDiscard, onAbandon, onRename, abandonNotice, onDismissNotice }: {
  records: readonly ChannelRecord[]; keys: KeyPair; selected: ChannelPick | null; onPick: (p: ChannelPick) => void
  /** Stored entries the app cannot read (kept until the trader removes one: `onDiscard`). */
  damaged: readonly DamagedEntry[]
  onDiscard: (entry: DamagedEntry) => Promise<void>
  /** Removes an abandoned channel from the list (called only after the contract said it never opened it). */
  onAbandon: (channelId: string) => Promise<void>
  /** Names a channel's counterparty (channelList.ts rename: the trader's own record only). */
  onRename: (channelId: string, name: string) => Promise<void>
  /** After an abandon of a demo-desk channel: whether the desk freed its slot (or will on its own). */
  abandonNotice: AbandonNotice | null
  onDismissNotice: () => void
}) {
  const { snap } = useSettlement()
  const attention = useChannelAttention(records, keys)
  // Seen opened in the contract's events this page read: no Abandon offered (the click checks the contract anyway).
  const opened = new Set(snap.events.filter((e) => e.type === 'ChannelOpened' && e.channelId).map((e) => e.channelId))
  const is = (p: ChannelPick) => JSON.stringify(p) === JSON.stringify(selected)
  return (
    <section className="card" aria-labelledby="channels-title">
      <h2 id="channels-title">Channels</h2>
      {records.length === 0 && <p className="muted small">No channels yet.</p>}
      <ul className="channel-list">
        {records.map((r) => {
          const peer = r.me === 'A' ? r.params.partyB : r.params.partyA
          const pick: ChannelPick = { kind: 'channel', channelId: r.channelId }
          const a = attention.get(r.channelId)
          const id8 = r.channelId.slice(0, 8)
          return (
            <li key={r.channelId}>
              <button type="button" className={`secondary wide ${is(pick) ? 'selected' : ''}`} aria-current={is(pick) ? 'page' : undefined} aria-describedby={a ? `attention-${id8}` : undefined} onClick={() => onPick(pick)} data-testid={`channel-${id8}`}>
                <strong>{r.label}</strong>
                <span className="muted mono small"> {fingerprint(peer).slice(0, 11)}</span>
              </button>
              {a && <AttentionLine id={`attention-${id8}`} attention={a} />}
              {r.storedNote && <p className="warn small" role="status" data-testid={`stored-note-${id8}`}>{r.storedNote}</p>}
              <RenameChannel record={r} onRename={onRename} />{' '}
              {r.restoredAt === undefined && !opened.has(r.channelId) && <AbandonChannel record={r} onAbandon={onAbandon} />}
            </li>
          )
        })}
      </ul>
      {abandonNotice && (
        <p role="status" className={`small ${abandonNotice.outcome === 'kept' ? 'warn' : 'muted'}`} data-testid="abandon-notice" data-outcome={abandonNotice.outcome}>
          <FailureText failure={abandonNotice.note} />{' '}
          {abandonNotice.outcome !== 'pending' && <button type="button" className="link small" onClick={onDismissNotice}>OK</button>}
        </p>
      )}
      {damaged.map((d, i) => (
        <DamagedLine key={`${i}:${d.reason}`} n={i + 1} damaged={d} onDiscard={onDiscard} />
      ))}
      <div className="row">
        <button type="button" onClick={() => onPick({ kind: 'new' })}>New channel</button>
        <button type="button" className="secondary" onClick={() => onPick({ kind: 'accept' })}>Accept invite</button>
        <button type="button" className="secondary" onClick={() => onPick({ kind: 'demo' })}>Trade with demo desk</button>
      </div>
    </section>
  )
}

type RenameStep = { step: 'idle' } | { step: 'editing'; draft: string; problem: Failure | null } | { step: 'saving'; draft: string }

/** What became of a rename: done (saved, or nothing to save), or the problem to show beside the field (nothing saved). */
export type RenameOutcome = { ok: true } | { ok: false; problem: Failure }

/**
 * Saves `draft` as the name of `record`'s counterparty: checked first (a bad name never reaches
 * `onRename`), and an unchanged one is not written at all.
 */
export async function submitRename(record: ChannelRecord, draft: string, onRename: (channelId: string, name: string) => Promise<void>): Promise<RenameOutcome> {
  let name: string
  try {
    name = counterpartyName(draft)
  } catch (e) {
    return { ok: false, problem: failureOf(e) }
  }
  if (name === record.label) return { ok: true }
  try {
    await onRename(record.channelId, name)
    return { ok: true }
  } catch (e) {
    // The list's own refusal (the channel was abandoned meanwhile) says it all; a failed write says the old name stands.
    if (e instanceof LabelError) return { ok: false, problem: failureOf(e) }
    const f = failureOf(e)
    return { ok: false, problem: { text: `Could not save the name, so ${record.label} keeps its old one: ${f.text}`, code: f.code } }
  }
}

/** "Rename" under a channel, and once clicked, the field that edits its counterparty's name. */
export function RenameChannel({ record, onRename }: { record: ChannelRecord; onRename: (channelId: string, name: string) => Promise<void> }) {
  const [s, setS] = useState<RenameStep>({ step: 'idle' })
  const id = record.channelId.slice(0, 8)
  if (s.step === 'idle') {
    return (
      <button type="button" className="link small" onClick={() => setS({ step: 'editing', draft: record.label, problem: null })} aria-label={`Rename ${record.label} (${id})`} data-testid={`rename-${id}`}>
        Rename
      </button>
    )
  }
  const save = async () => {
    const draft = s.draft
    setS({ step: 'saving', draft })
    const r = await submitRename(record, draft, onRename)
    setS(r.ok ? { step: 'idle' } : { step: 'editing', draft, problem: r.problem })
  }
  return (
    <RenameForm record={record} draft={s.draft} problem={s.step === 'editing' ? s.problem : null} saving={s.step === 'saving'}
      onDraft={(draft) => setS({ step: 'editing', draft, problem: null })} onSave={() => void save()} onCancel={() => setS({ step: 'idle' })} />
  )
}

/** The rename field: the name as typed, what is wrong with it (nothing saved then), Save and Cancel. */
export function RenameForm({ record, draft, problem, saving, onDraft, onSave, onCancel }: {
  record: ChannelRecord; draft: string; problem: Failure | null; saving: boolean
  onDraft: (draft: string) => void; onSave: () => void; onCancel: () => void
}) {
  const id = record.channelId.slice(0, 8)
  return (
    <form className="small" aria-label={`Rename ${record.label}`} data-testid={`rename-form-${id}`} onSubmit={(e) => { e.preventDefault(); onSave() }}>
      <label>
        Name for this counterparty (only you see it: nothing is sent to them)
        <input value={draft} maxLength={MAX_LABEL_CHARS} readOnly={saving} aria-invalid={problem !== null} aria-describedby={problem ? `rename-problem-${id}` : undefined}
          autoFocus onFocus={(e) => e.target.select()} onChange={(e) => onDraft(e.target.value)} onKeyDown={(e) => {
            // Escape cancels the rename only, not passed on to the page's shortcuts (useTradeKeys).
            if (e.key === 'Escape') { e.stopPropagation(); onCancel() }
          }} data-testid={`rename-input-${id}`} />
      </label>
      {problem && <p id={`rename-problem-${id}`} className="error" role="alert" data-testid={`rename-problem-${id}`}><FailureText failure={problem} /></p>}
      <div className="row">
        <button type="submit" className="small" disabled={saving}>{saving ? 'Saving…' : 'Save name'}</button>
        <button type="button" className="secondary small" disabled={saving} onClick={onCancel}>Cancel</button>
      </div>
    </form>
  )
}

type AbandonStep = { step: 'idle' } | { step: 'checking' } | { step: 'confirm'; text: string } | { step: 'refused'; failure: Failure } | { step: 'removing' }

/** "Abandon" under a channel not seen opened: reads the contract, then asks to confirm (or says why not). */
function AbandonChannel({ record, onAbandon }: { record: ChannelRecord; onAbandon: (channelId: string) => Promise<void> }) {
  const { conn } = useSettlement()
  const [s, setS] = useState<AbandonStep>({ step: 'idle' })
  const id = record.channelId.slice(0, 8)
  const check = async () => {
    setS({ step: 'checking' })
    try {
      // Read now, not from the events: a channel the contract holds is never dropped.
      const r = abandonCheck((await conn.settlement.chain.channel(record.channelId)).status, record.label)
      setS(r.ok ? { step: 'confirm', text: r.confirm } : { step: 'refused', failure: failureOf(r.reason) })
    } catch (e) {
      setS({ step: 'refused', failure: failureOf(`Could not read the channel on the contract, so it is kept: ${failureOf(e).text} Try again when the chain answers.`) })
    }
  }
  const abandon = async () => {
    setS({ step: 'removing' })
    try {
      await onAbandon(record.channelId)
    } catch (e) {
      setS({ step: 'refused', failure: failureOf(e) })
    }
  }
  if (s.step === 'idle' || s.step === 'checking') {
    return (
      <button type="button" className="link small" disabled={s.step === 'checking'} onClick={() => void check()} aria-label={`Abandon channel ${record.label} (${id})`} data-testid={`abandon-${id}`}>
        {s.step === 'checking' ? 'Checking the contract…' : 'Abandon (never opened)'}
      </button>
    )
  }
  if (s.step === 'refused') {
    return (
      <p className="small error" role="alert" data-testid={`abandon-refused-${id}`}>
        <FailureText failure={s.failure} />{' '}
        <button type="button" className="link small" onClick={() => setS({ step: 'idle' })}>OK</button>
      </p>
    )
  }
  return (
    <div role="alertdialog" aria-labelledby={`abandon-text-${id}`} className="small" data-testid={`abandon-confirm-${id}`}>
      <p id={`abandon-text-${id}`}>{s.step === 'confirm' ? s.text : 'Removing…'}</p>
      <div className="row">
        <button type="button" className="danger small" disabled={s.step === 'removing'} onClick={() => void abandon()}>Abandon channel</button>
        <button type="button" className="secondary small" disabled={s.step === 'removing'} onClick={() => setS({ step: 'idle' })}>Keep it</button>
      </div>
    </div>
  )
}

type DiscardStep = { step: 'idle' } | { step: 'confirm' } | { step: 'removing' } | { step: 'failed'; failure: Failure }

/** A stored entry the app cannot read: what is wrong, a copy to save, and (confirmed) its removal. */
function DamagedLine({ n, damaged, onDiscard }: { n: number; damaged: DamagedEntry; onDiscard: (entry: DamagedEntry) => Promise<void> }) {
  const [s, setS] = useState<DiscardStep>({ step: 'idle' })
  const discard = async () => {
    setS({ step: 'removing' })
    try {
      await onDiscard(damaged)
    } catch (e) {
      setS({ step: 'failed', failure: failureOf(`Could not remove the entry, so it is kept: ${failureOf(e).text}`) })
    }
  }
  return (
    <div className="error small" data-testid={`damaged-entry-${n}`}>
      <p>Stored channel entry could not be read: {damaged.reason}. It is kept as it was.</p>
      <div className="row">
        <button type="button" className="link small" onClick={() => downloadText(`otc-channel-entry-${n}.json`, jsonText(damaged.entry), 'application/json')}>Save a copy</button>
        {s.step === 'idle' && <button type="button" className="link small" onClick={() => setS({ step: 'confirm' })}>Remove from the list…</button>}
      </div>
      {(s.step === 'confirm' || s.step === 'removing') && (
        <div role="alertdialog" aria-labelledby={`discard-text-${n}`}>
          <p id={`discard-text-${n}`}>Remove this entry for good? If it was a channel you hold money in, save a copy first: the money stays in the contract, and the channel can be restored from your watchtower or from the copy.</p>
          <div className="row">
            <button type="button" className="danger small" disabled={s.step === 'removing'} onClick={() => void discard()}>Remove entry</button>
            <button type="button" className="secondary small" disabled={s.step === 'removing'} onClick={() => setS({ step: 'idle' })}>Keep it</button>
          </div>
        </div>
      )}
      {s.step === 'failed' && (
        <p role="alert"><FailureText failure={s.failure} /> <button type="button" className="link small" onClick={() => setS({ step: 'idle' })}>OK</button></p>
      )}
    </div>
  )
}

const STANDING_PILL: Record<ChannelAttention['standing'], string> = { starting: '', opening: '', open: 'good', closing: '', disputed: 'warn', finalized: '', closed: '' }

/** Under a channel: where it stands, and what in it needs the trader (attention.ts). */
function AttentionLine({ id, attention }: { id: string; attention: ChannelAttention }) {
  return (
    <p id={id} className="small attention" data-testid={id} data-standing={attention.standing}>
      <span className={`pill ${STANDING_PILL[attention.standing]}`}>{attention.standing}</span>
      {attention.items.map((i) => (
        <span key={i.kind} className={i.level === 'act' ? 'warn' : 'muted'} data-kind={i.kind}> · {i.text}</span>
      ))}
    </p>
  )
}

/** " (2 need you)" beside the side panel's toggle: channels with something only the trader can do. */
export function ChannelsNeedingYou({ records, keys }: { records: readonly ChannelRecord[]; keys: KeyPair }) {
  const attention = useChannelAttention(records, keys)
  const n = needingAction(attention.values())
  return n > 0 ? <span data-testid="channels-needing-you"> ({n} {n === 1 ? 'needs' : 'need'} you)</span> : null
}
