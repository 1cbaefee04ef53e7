// Every event that changed a position, in this channel or across all of them: fills (time,
// instrument, side, size, premium, implied vol at the fill, state version), close-outs (their
// payment in the premium column), and settlements at expiry (no premium: the fixing and the payout
// to me in columns of their own; the state that settled it, or "on chain" when the contract paid it
// out after a dispute). Filterable; exported as CSV with exact amounts. The other channels' rows
// follow this browser's kept books as they are written (otherBooks.ts).
import { startTransition, useEffect, useId, useMemo, useState } from 'react'
import type { Hex } from '../../core/index.ts'
import { downloadText } from '../download.ts'
import { formatFixing, formatVol, NO_VALUE } from '../risk/format.ts'
import { Money } from '../money/Money.tsx'
import { blotterCsv, blotterRows, bookOf, closedHowText, withPaidOnChain, paidByContract, rowFacts, rowSearchText, rowStateText, rowSupersededText, sizeText, supersededNotes, timeText, type BlotterRow } from './book.ts'
import { instrumentOf } from '../risk/positions.ts'
import type { BookView } from './useBook.ts'
import { followOtherBooks, type BlotterChannel, type OtherBooks } from './otherBooks.ts'
import { useChainViews, type ChainViewsSnapshot } from '../channel/chainViews.ts'

type Scope = 'channel' | 'all'

/**
 * The other channels' books as this browser keeps them, while the "all channels" view is open: read
 * when it opens and when the channel list changes (the rows read before stay until then), and each
 * channel's again after each write to it (null until first read).
 */
function useOtherBooks(on: boolean, records: readonly BlotterChannel[], except: Hex | null): OtherBooks | null {
  const [books, setBooks] = useState<OtherBooks | null>(null)
  useEffect(() => {
    if (!on) {
      setBooks(null)
      return
    }
    // Not urgent: a write elsewhere re-renders the blotter in the background, after what the trader does.
    return followOtherBooks(records.filter((r) => r.channelId !== except), (b) => startTransition(() => setBooks(b)))
  }, [on, records, except])
  return books
}

/** The other channels' rows, with what the contract paid out after a dispute as their guards last read it (`chains`). */
function otherRows(books: OtherBooks['books'], chains: ChainViewsSnapshot): { rows: BlotterRow[]; vols: Map<Hex, number | null>; damaged: number } {
  const rows: BlotterRow[] = []
  const vols = new Map<Hex, number | null>()
  let damaged = 0
  for (const { record: r, stored } of books) {
    const meta = { channelId: r.channelId, counterparty: r.label, me: r.me }
    rows.push(...blotterRows(withPaidOnChain(bookOf(stored.entries, meta), chains.get(r.channelId) ?? null, meta)))
    for (const [k, v] of stored.vols) vols.set(k, v)
    damaged += stored.damaged.length
  }
  return { rows, vols, damaged }
}

const NOTHING_KEPT: BookView['keeping'] = { loaded: true, damaged: [], readError: null, writeError: null }

/**
 * `book`: this channel's, with what the contract paid out (the other channels' come from the app's
 * reads of the contract: chainViews.ts). Without a channel (`book` and `channelId` null: the Book
 * across channels) it shows every channel of `records`, from this browser's kept books.
 */
export function Blotter({ book, records, channelId }: { book: BookView | null; records: readonly BlotterChannel[]; channelId: Hex | null }) {
  const uid = useId()
  const [picked, setScope] = useState<Scope>('channel')
  const scope: Scope = book === null ? 'all' : picked
  const [text, setText] = useState('')
  const [side, setSide] = useState<'any' | 'bought' | 'sold'>('any')
  const chainViews = useChainViews()
  const otherBooks = useOtherBooks(scope === 'all', records, channelId)
  const others = useMemo(() => (otherBooks ? otherRows(otherBooks.books, chainViews) : null), [otherBooks, chainViews])
  const keeping = bookKeepingNotes(book?.keeping ?? NOTHING_KEPT, otherBooks?.failed ?? [], others?.damaged ?? 0)
  const vols = useMemo(() => new Map([...(book?.vols ?? []), ...(others?.vols ?? [])]), [book, others])
  const all = useMemo(() => {
    const rows = [...(book ? blotterRows(book) : []), ...(others?.rows ?? [])]
    return rows.sort((a, b) => rowFacts(b).time - rowFacts(a).time || rowFacts(b).version - rowFacts(a).version)
  }, [book, others])
  // Rows co-signed after the version the contract finalized moved no money: said above the table, marked in it.
  const superseded = useMemo(() => supersededNotes(all), [all])
  const needle = text.trim().toLowerCase()
  const rows = all.filter((r) => (side === 'any' || rowFacts(r).side === side) && (needle === '' || rowSearchText(r).includes(needle)))
  // Nothing to list: why (none said while the kept books are still being read: that is said above).
  const emptyText = all.length > 0 ? 'No trade matches the filter.' : book === null ? (otherBooks === null ? null : 'No trades yet.') : book.keeping.loaded ? 'No trades yet.' : "Reading this browser's kept book…"
  const exportCsv = () => downloadText(`blotter-${scope === 'all' || channelId === null ? 'all-channels' : channelId.slice(0, 8)}-${new Date().toISOString().slice(0, 10)}.csv`, blotterCsv(rows, vols), 'text/csv')
  return (
    <section className="blotter" aria-labelledby={`${uid}-title`}>
      <div className="risk-head">
        <h2 id={`${uid}-title`}>Blotter</h2>
        {book !== null && (
          <div className="row" role="group" aria-label="Which trades">
            <label className="inline"><input type="radio" name={`${uid}-scope`} checked={scope === 'channel'} onChange={() => setScope('channel')} /> This channel</label>
            <label className="inline"><input type="radio" name={`${uid}-scope`} checked={scope === 'all'} onChange={() => setScope('all')} /> All channels</label>
          </div>
        )}
        <div className="row">
          <label className="inline">Filter <input value={text} onChange={(e) => setText(e.target.value)} placeholder="feed, strike, counterparty" /></label>
          <label className="inline">Side
            <select value={side} onChange={(e) => setSide(e.target.value as typeof side)}>
              <option value="any">any</option><option value="bought">bought</option><option value="sold">sold</option>
            </select>
          </label>
          <button type="button" className="secondary small" onClick={exportCsv} disabled={rows.length === 0}>Export CSV</button>
        </div>
      </div>
      {keeping.length > 0 && (
        <ul className="notices" aria-label="The book kept in this browser" data-testid="blotter-keeping">
          {keeping.map((n) => <li key={n} className="warn">{n}</li>)}
        </ul>
      )}
      {scope === 'all' && otherBooks === null && <p className="muted" role="status">{book === null ? "Reading the channels' books kept in this browser…" : "Reading the other channels' books…"}</p>}
      {superseded.length > 0 && (
        <ul className="notices" aria-label="Trades that moved no money" data-testid="blotter-superseded">
          {superseded.map((n) => <li key={n} className="warn">{n}</li>)}
        </ul>
      )}
      {rows.length === 0 ? (
        emptyText !== null && <p className="muted" role="status">{emptyText}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Trades table">
          <table className="dense" data-testid="blotter">
            <caption className="sr-only">Fills, close-outs and settlements, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                {scope === 'all' && <th scope="col">Counterparty</th>}
                <th scope="col">Instrument</th>
                <th scope="col">Side</th>
                <th scope="col" className="num">Size</th>
                <th scope="col" className="num">Premium</th>
                <th scope="col" className="num">Vol at fill</th>
                <th scope="col" className="num">Fixing</th>
                <th scope="col" className="num">Payout</th>
                <th scope="col" className="num">State</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const f = r.fill
                const { time, side: s, amount } = rowFacts(r)
                const v = r.kind === 'fill' ? vols.get(f.positionId) : null
                const money = (minor: bigint) => <Money minor={minor} decimals={f.terms.assetDecimals} asset={f.terms.asset} signed />
                const voidText = rowSupersededText(r)
                return (
                  <tr key={`${f.channelId}${f.positionId}${r.kind}${rowFacts(r).version}`} data-kind={r.kind} className={voidText ? 'superseded' : undefined} data-superseded={voidText ? 'true' : undefined}>
                    <td>{timeText(time)}</td>
                    {scope === 'all' && <td>{f.counterparty}</td>}
                    <td>
                      {voidText && <><span className="pill warn" title={voidText} data-testid="blotter-superseded-pill">moved no money</span>{' '}</>}
                      {r.kind !== 'fill' && <span className="pill">{r.kind === 'settlement' ? r.how : r.kind}</span>} {instrumentOf(f)}
                      {voidText && <span className="sr-only">: {voidText}</span>}
                    </td>
                    <td>{s}</td>
                    <td className="num">{sizeText(f)}</td>
                    <td className="num">{amount === null ? NO_VALUE : money(s === 'sold' ? amount : -amount)}</td>
                    <td className="num">{v == null ? NO_VALUE : formatVol(v)}</td>
                    <td className="num" data-testid={r.kind === 'settlement' ? 'blotter-fixing' : undefined}>{r.kind === 'settlement' && r.price ? formatFixing(r.price.value, r.price.decimals) : NO_VALUE}</td>
                    <td className="num" data-testid={r.kind === 'settlement' ? 'blotter-payout' : undefined}>
                      {r.kind !== 'settlement' ? NO_VALUE : r.payout === null ? <span className="muted">not known here</span> : money(r.payout)}
                    </td>
                    <td className="num" title={r.kind === 'settlement' && paidByContract(r) ? closedHowText(r) : undefined}>{rowStateText(r)}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/** What the trader should know about the book this browser keeps: records it could not read, writes that failed. */
export function bookKeepingNotes(keeping: BookView['keeping'], othersFailed: OtherBooks['failed'], othersDamaged: number): string[] {
  const notes: string[] = []
  const fallback = "The blotter shows what the channel's document holds; export the CSV to keep a copy."
  if (keeping.readError) notes.push(`This browser could not read back this channel's kept book (${keeping.readError}). ${fallback}`)
  if (keeping.writeError) notes.push(`This browser could not keep the latest trades of this channel's book (${keeping.writeError}). ${fallback}`)
  const damaged = keeping.damaged.length + othersDamaged
  if (damaged > 0) notes.push(`${damaged} kept ${damaged === 1 ? 'record' : 'records'} of the book could not be read and ${damaged === 1 ? 'is' : 'are'} left out${keeping.damaged[0] ? ` (${keeping.damaged[0]})` : ''}.`)
  for (const f of othersFailed) notes.push(`The kept book of the channel with ${f.counterparty} could not be read (${f.reason}).`)
  return notes
}
