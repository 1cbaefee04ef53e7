// The trader's network requests as the whole workspace sees them, whichever screen shows: one per
// trader key, over the request store (requestStore.ts), for the page's life. "One fill per request"
// must hold wherever a quote is taken: the Network RFQ ladder, a channel's Trade tab (its Accept and
// the `a` key) on a ticket that belongs to a request, or a dealer taking a quote of the trader's.
// So the fill rule (fillRule.ts) is stepped here, and observed here from every channel (the
// workspace runs NetworkRequestsHost next to the background channels), not by the ladder's screen:
//   claim      an accept anywhere starts a part, or is refused with the reason in words (the
//              request filled or being filled, withdrawn, or the quote not the terms that dealer
//              was asked for: ladder.ts offTerms).
//   observe    every channel change: trades seen on the request's tickets (whoever made them), and
//              what became of each accept in flight (done, failed).
//   expire     a request whose time limit ran out (requestLife.ts requestExpired, on the chain's
//              clock the screen and the sessions use: setRequestClock) takes no accept any more and
//              is closed as a withdrawn one is; the host checks every second (expireDue).
//   stop       the trader stops waiting for a dealer's countersignature once the dealer can no
//              longer give it (countersign.ts): the part is freed, so another quote can be taken.
//   close      once a request is filled, withdrawn or expired: every other ticket withdrawn (the winners'
//              marked filled) and every live quote of the trader's on its tickets cancelled (the
//              engine signs a trade on the trader's own quote by itself, and a desk's counters do not
//              read ticket status), and once no part can start, the trader's own quotes on the other
//              tickets are cancelled at once. Retried until done, with what is left and the last
//              error for the ladder to show.
import { createContext, useContext } from 'react'
import type { Quote } from '../../core/index.ts'
import { intentKey, type QuoteView } from '../../core/sync/index.ts'
import type { NetworkChannel } from '../book/useNetwork.ts'
import { outcomeFailure } from '../channel/auditText.ts'
import { failureOf, worded, type Failure } from '../failure.ts'
import type { ChannelSpec } from '../negotiate/draft.ts'
import { canStartPart, fillKind, openFill, stepFill, type FillClaim, type FillEvent, type FillState, type FillStep } from './fillRule.ts'
import { countersignWait, stoppedWaiting } from './countersign.ts'
import { asAnswer, askedTerms, offTerms, requestInstrument, requestPackage, tradedQuote, type NetworkRequest } from './ladder.ts'
import { expiredRefusal, requestExpired, requestNumber } from './requestLife.ts'
import { keptRequests, nextRequestNumber, numberedRequests, requestStore, saveRequestsSoon, type RequestStore } from './requestStore.ts'

/** How the closing of a filled, withdrawn or expired request stands, as its ladder says it. */
export interface RequestClosing {
  readonly why: 'filled' | 'withdrawn' | 'expired'
  /** Every ticket closed in its channel and no quote of the trader's live on any of them. */
  readonly done: boolean
  /** What is still to do, one sentence each ("Slow Desk's ticket is being withdrawn"). */
  readonly left: readonly string[]
  /** The last attempt's error (retried), or null. */
  readonly error: Failure | null
}

/** A refused or started part of a request, for an accept made in a channel (networkRequests' claim). */
export type PartClaim =
  | { readonly kind: 'refused'; readonly request: NetworkRequest; readonly reason: string }
  | { readonly kind: 'claimed'; readonly request: NetworkRequest; readonly claim: FillClaim }

/** How often the closing of a request is tried again while something is left. */
export const CLOSE_RETRY_MS = 2_000

/** Whether the accepted quote's position (its id is the quote hash) is in the channel's co-signed state. */
export function positionIn(n: NetworkChannel | undefined, quoteHash: string): boolean {
  return n?.snap?.view.latest?.state.positions.some((p) => p.id === quoteHash) ?? false
}

/**
 * What became of an accepted quote's trade in its channel `n`: done (its position is in the
 * co-signed state), failed (the trade intent refused or failed there, said with the dealer's name:
 * the ladder mixes dealers, "the counterparty" would not say which), or null while under way.
 */
export function partOutcome(n: NetworkChannel | undefined, f: FillClaim): Extract<FillEvent, { type: 'done' | 'failed' }> | null {
  const view = n?.snap?.view
  if (!n || !view) return null
  if (positionIn(n, f.quoteHash)) return { type: 'done', channelId: f.channelId, quoteHash: f.quoteHash }
  const q = view.quotes.find((x) => x.hash === f.quoteHash)
  const outcome = q ? view.outcomes.find((o) => o.intent === intentKey({ type: 'trade', quote: q.signed, timestamp: 0 })) : undefined
  if (!outcome || (outcome.status !== 'refused' && outcome.status !== 'failed')) return null
  const reason = outcomeFailure(outcome, n.record.label) ?? worded(`the trade was ${outcome.status} in the channel`, outcome.code)
  return { type: 'failed', channelId: f.channelId, quoteHash: f.quoteHash, reason }
}

/**
 * The trades of the request's tickets co-signed in their channels, one per channel, whoever made
 * them: an accept on the ladder, or a quote or counter taken on the channel's own screen.
 */
export function seenFills(request: NetworkRequest, byId: ReadonlyMap<string, NetworkChannel>): FillClaim[] {
  const seen: FillClaim[] = []
  for (const leg of request.legs) {
    const view = byId.get(leg.channelId)?.snap?.view
    const traded = view ? tradedQuote(view, leg.rfqId) : null
    if (traded) seen.push({ channelId: leg.channelId, quoteHash: traded.hash, counterparty: leg.counterparty })
  }
  return seen
}

/** What the request's note says once its last part is filled. */
export function filledNote(winners: readonly FillClaim[]): string {
  const text = winners.length === 1 ? `Filled with ${winners[0]!.counterparty}` : `Filled in ${winners.length} parts with ${winners.map((c) => c.counterparty).join(', ')}`
  return `${text}${FILLED_NOTE_END}`
}

/** How a filled note ends: the ladder says it only once the closing is done (until then, what is left). */
export const FILLED_NOTE_END = '; the other tickets are withdrawn.'

export class NetworkRequests {
  private readonly listeners = new Set<() => void>()
  private version = 0
  /**
   * The trader's channels as last observed, or null: not observed yet, or detached (Lock). Only a
   * list that was observed says a channel is abandoned (missing from it): with none, nothing is
   * closed, so a pass that runs then (a cancel finishing after Lock) cannot take every ticket for
   * closed and set the request aside while its tickets and quotes are still live.
   */
  private byId: ReadonlyMap<string, NetworkChannel> | null = null
  private readonly closings = new Map<string, RequestClosing>()
  /** The last asynchronous error (a cancel that failed) per request, until a pass finds its closing done. */
  private readonly lateErrors = new Map<string, Failure>()
  /** Requests closed and cleaned up in this page's life: nothing left to observe or do. */
  private readonly settled = new Set<string>()
  /**
   * Tickets this page wrote (`channel:rfq`) not yet seen in their channel's view: one missing there
   * is still on its way. Any other ticket missing from a running channel was closed and then dropped
   * by a compaction (it keeps only open tickets): nothing is left to close there.
   */
  private readonly unseen = new Set<string>()
  /** Quote hashes whose cancel is under way. */
  private readonly cancelling = new Set<string>()
  /** Ticket status edits issued (`channel:rfq:status`) and when: not written again before CLOSE_RETRY_MS. */
  private readonly issued = new Map<string, number>()
  private timer: ReturnType<typeof setTimeout> | null = null
  private timerDue = Infinity
  /**
   * The clock requests are stamped (`createdAt`) and expire by: the chain's, as the screen reads it
   * (the host sets it: setRequestClock). `clock` times the retries only (the page's, never jumping).
   */
  private requestNow: () => number

  constructor(readonly owner: string, private readonly store: RequestStore, private readonly clock: () => number = Date.now) {
    this.requestNow = clock
    // A store made by hand (a test's) is numbered as one read back is.
    store.requests = numberedRequests(store.requests)
  }

  /** The clock the screen stamps requests with (the chain's, useNodeClock): their time limits run on it. */
  setRequestClock(now: () => number): void {
    this.requestNow = now
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Changes with every change the ladders show (requests, fills, notes, closings). */
  getSnapshot = (): number => this.version

  /** Tells the screens to read again (after an accept's proposal is out: the click does not wait for a render). */
  notify(): void {
    this.version++
    for (const fn of this.listeners) fn()
  }

  get requests(): readonly NetworkRequest[] {
    return this.store.requests
  }

  get damaged(): string | null {
    return this.store.damaged
  }

  get keptAs(): string | null | undefined {
    return this.store.keptAs
  }

  fillOf(requestId: string): FillState | undefined {
    return this.store.fills.get(requestId)
  }

  noteOf(requestId: string): string | null {
    return this.store.notes.get(requestId) ?? null
  }

  closingOf(requestId: string): RequestClosing | null {
    return this.closings.get(requestId) ?? null
  }

  /**
   * Records a request before any of its tickets is written (every ticket sent is in a ladder,
   * whatever fails after), with the next number. Beyond the store's bound, the oldest requests
   * closed in this page's life are forgotten, never one whose tickets could still be hit (keptRequests).
   */
  add(request: NetworkRequest): void {
    for (const l of request.legs) this.unseen.add(`${l.channelId}:${l.rfqId}`)
    const others = this.store.requests.filter((r) => r.id !== request.id)
    const all = [{ ...request, number: nextRequestNumber(others) }, ...others]
    const kept = keptRequests(all, (r) => this.settled.has(r.id))
    if (kept !== all) {
      const ids = new Set(kept.map((r) => r.id))
      for (const id of this.store.fills.keys()) if (!ids.has(id)) this.store.fills.delete(id)
      this.store.notes = new Map([...this.store.notes].filter(([k]) => ids.has(k)))
    }
    this.store.requests = kept
    this.saved()
  }

  /** Replaces request `id` by `f` of it. */
  update(id: string, f: (r: NetworkRequest) => NetworkRequest): void {
    this.store.requests = this.store.requests.map((r) => (r.id === id ? f(r) : r))
    this.saved()
  }

  /** Forgets a request none of whose tickets was written. */
  remove(id: string): void {
    this.store.requests = this.store.requests.filter((r) => r.id !== id)
    this.store.fills.delete(id)
    this.store.notes = new Map([...this.store.notes].filter(([k]) => k !== id))
    this.saved()
  }

  setNote(id: string, text: string | ((before: string | null) => string | null)): void {
    const before = this.noteOf(id)
    const next = typeof text === 'function' ? text(before) : text
    if (next === before || next === null) return
    this.store.notes = new Map(this.store.notes).set(id, next)
    this.saved()
  }

  /**
   * Steps the request's fill state (synchronously: the next click anywhere sees it). `quiet`: the
   * screens are not told yet (an accept's click tells them once its proposal is out: notify).
   */
  step(request: NetworkRequest, e: FillEvent, quiet = false): FillStep {
    const before = this.store.fills.get(request.id)
    const r = stepFill(before ?? openFill(request.lots), e)
    if (r.state !== before) {
      this.store.fills.set(request.id, r.state)
      saveRequestsSoon(this.owner)
      if (r.justFilled) this.setNote(request.id, filledNote(r.state.done))
      // Filled, or every part taken: the closing (and the cancel of the trader's own quotes elsewhere) starts in a task of its own.
      if (!canStartPart(r.state)) this.schedule(0)
      if (!quiet) this.notify()
    }
    return r
  }

  /** The request whose ticket `rfqId` is in channel `channelId`, and its number as its ladder shows it (the oldest is 1), or null. */
  requestOf(channelId: string, rfqId: string): { readonly request: NetworkRequest; readonly number: number } | null {
    const rs = this.store.requests
    const i = rs.findIndex((r) => r.legs.some((l) => l.channelId === channelId && l.rfqId === rfqId))
    return i < 0 ? null : { request: rs[i]!, number: requestNumber(rs, i) }
  }

  /**
   * Why quote `q` (its hash and signed quote) on a ticket of a request, in channel `channelId`, must
   * not be taken, or null when it may start a part. The request's fill as the channels show it now
   * (observed first); withdrawn; the quote on another side or package than that dealer was asked.
   */
  private refusalFor(request: NetworkRequest, channelId: string, q: { readonly hash: string; readonly quote: Quote }, me: 'A' | 'B', spec: ChannelSpec, counterparty: string): string | null {
    const fill = stepFill(this.fillOf(request.id) ?? openFill(request.lots), { type: 'accept', channelId, quoteHash: q.hash, counterparty }).refused
    if (fill) return fill
    if (request.withdrawnAt !== undefined) return 'you withdrew this request'
    if (this.expired(request)) return expiredRefusal(request, this.requestNow())
    const leg = request.legs.find((l) => l.channelId === channelId)!
    const off = offTerms(asAnswer(q.quote, me), askedTerms(request, leg, spec))
    return off ? `the quote is not what ${counterparty} was asked for: ${off}` : null
  }

  /**
   * An accept of quote `q` in channel `channelId`, wherever it is clicked: null when the ticket is
   * no request's; else the part claimed (release it if the accept fails to start), or refused with
   * the reason. Every channel's trades on the request are observed first, so a fill made elsewhere
   * since the last change is counted.
   */
  claim(channelId: string, rfqId: string, q: Pick<QuoteView, 'hash' | 'signed'>, me: 'A' | 'B', spec: ChannelSpec, counterparty: string): PartClaim | null {
    const found = this.requestOf(channelId, rfqId)
    if (!found) return null
    const { request } = found
    if (this.observeOne(request)) this.notify()
    const reason = this.refusalFor(request, channelId, { hash: q.hash, quote: q.signed.quote }, me, spec, counterparty)
    if (reason) return { kind: 'refused', request, reason }
    const claim = { channelId, quoteHash: q.hash, counterparty }
    const r = this.step(request, { type: 'accept', ...claim }, true)
    if (r.refused) return { kind: 'refused', request, reason: r.refused }
    return { kind: 'claimed', request, claim }
  }

  /** The same check as `claim`, without starting a part: for a quote card's Accept before the click. */
  refusal(channelId: string, rfqId: string, q: Pick<QuoteView, 'hash' | 'signed'>, me: 'A' | 'B', spec: ChannelSpec, counterparty: string): { readonly request: NetworkRequest; readonly reason: string } | null {
    const found = this.requestOf(channelId, rfqId)
    if (!found) return null
    const reason = this.refusalFor(found.request, channelId, { hash: q.hash, quote: q.signed.quote }, me, spec, counterparty)
    return reason ? { request: found.request, reason } : null
  }

  /** "your network request 2 (buy BTC-USD 2026-02-27 · long put 45,000 x 0.1)": how a channel's screen names a request. */
  describe(request: NetworkRequest, spec: ChannelSpec): string {
    const number = requestNumber(this.store.requests, this.store.requests.findIndex((r) => r.id === request.id))
    return `your network request ${number} (${requestInstrument(request, requestPackage(request, spec))})`
  }

  /** The trader withdrew the request: its tickets are closed and own quotes cancelled, retried until done. */
  withdraw(request: NetworkRequest): void {
    if (request.withdrawnAt === undefined) this.update(request.id, (r) => ({ ...r, withdrawnAt: this.requestNow() }))
    this.settled.delete(request.id)
    this.schedule(0)
    this.notify()
  }

  /** Tries the closing of every request again now (the ladder's "Try again now"). */
  retryNow(): void {
    this.schedule(0)
  }

  /**
   * Closes the requests whose time limit ran out since the last look (the host asks every second):
   * their open tickets withdrawn and own quotes cancelled, as for a withdrawn request.
   */
  expireDue(): void {
    let due = false
    for (const r of this.store.requests) {
      if (this.settled.has(r.id) || this.closings.has(r.id)) continue
      due ||= this.mustClose(r) === 'expired'
    }
    if (!due) return
    this.schedule(0)
    this.notify()
  }

  /**
   * The trader stops waiting for `counterparty`'s countersignature on the part `claim` of `request`:
   * the part is freed with the reason (another quote can then be taken). Only once the dealer can
   * no longer countersign (countersign.ts, on the channel as it is now); before, the reason it is
   * refused. Null when freed.
   */
  stopWaiting(request: NetworkRequest, claim: FillClaim): string | null {
    const inflight = this.fillOf(request.id)?.inflight.find((c) => c.channelId === claim.channelId && c.quoteHash === claim.quoteHash)
    if (!inflight) return `no accept of ${claim.counterparty}'s quote is waiting on this request`
    const n = this.byId?.get(claim.channelId)
    const w = countersignWait(inflight, n?.snap?.view ?? null, this.requestNow())
    if (!w.canStop) return `${claim.counterparty} may still countersign your accept: taking another quote now could fill this request twice`
    this.step(request, { type: 'failed', channelId: claim.channelId, quoteHash: claim.quoteHash, reason: stoppedWaiting(w) })
    this.setNote(request.id, `You stopped waiting for ${claim.counterparty}.`)
    return null
  }

  /**
   * Takes a request that is over (filled, withdrawn or expired, every ticket closed) off the list.
   * It stays in the store: which ticket belongs to which request is known only there, so a channel's
   * Trade tab still refuses a second fill on its tickets, a late trade on them is still counted
   * (over-fill), and the other requests keep their numbers.
   */
  dismiss(request: NetworkRequest): void {
    if (request.dismissedAt === undefined) this.update(request.id, (r) => ({ ...r, dismissedAt: this.requestNow() }))
  }

  /**
   * Every channel of the trader as it is now (all of them running or starting: the host waits for
   * the list): the fills seen and the outcomes of accepts in flight stepped in, and the closing of
   * whatever is filled or withdrawn moved on, in a task of its own.
   */
  observe(network: readonly NetworkChannel[]): void {
    this.byId = new Map(network.map((n) => [n.record.channelId, n]))
    let changed = false
    let closing = false
    for (const request of this.store.requests) {
      if (this.settled.has(request.id)) continue
      changed = this.observeOne(request) || changed
      closing ||= this.mustClose(request) !== null
    }
    if (closing) this.schedule(0)
    if (changed) this.notify()
  }

  /** The page leaves the workspace (Lock): no channel is written to any more, nothing is retried. */
  detach(): void {
    this.byId = null
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.timerDue = Infinity
  }

  private saved(): void {
    saveRequestsSoon(this.owner)
    this.notify()
  }

  /** Steps in what the channels show of one request; whether its fill changed. */
  private observeOne(request: NetworkRequest): boolean {
    const byId = this.byId
    if (!byId) return false
    let changed = false
    for (const c of seenFills(request, byId)) {
      const before = this.fillOf(request.id)
      changed = this.step(request, { type: 'seen', ...c }, true).state !== before || changed
    }
    for (const f of this.fillOf(request.id)?.inflight ?? []) {
      const e = partOutcome(byId.get(f.channelId), f)
      if (!e) continue
      const before = this.fillOf(request.id)
      changed = this.step(request, e, true).state !== before || changed
    }
    return changed
  }

  /** Why the request's tickets must be closed ('filled', 'withdrawn', 'expired'), 'claimed' while every part is taken (only own quotes elsewhere are cancelled), or null. */
  private mustClose(request: NetworkRequest): RequestClosing['why'] | 'claimed' | null {
    const fill = this.fillOf(request.id) ?? openFill(request.lots)
    if (fillKind(fill) === 'filled') return 'filled'
    if (request.withdrawnAt !== undefined) return 'withdrawn'
    if (this.expired(request)) return 'expired'
    return canStartPart(fill) ? null : 'claimed'
  }

  /** Whether the request's time limit ran out before it was filled or withdrawn (requestLife.ts). */
  private expired(request: NetworkRequest): boolean {
    return requestExpired(request, this.requestNow(), fillKind(this.fillOf(request.id) ?? openFill(request.lots)) === 'filled')
  }

  /** A closing pass in `delay` ms; none while no channel list is observed (before the first, after detach). */
  private schedule(delay: number): void {
    if (!this.byId) return
    const due = this.clock() + delay
    if (this.timer !== null && this.timerDue <= due) return
    if (this.timer !== null) clearTimeout(this.timer)
    this.timerDue = due
    this.timer = setTimeout(() => {
      this.timer = null
      this.timerDue = Infinity
      this.closeAll()
    }, delay)
  }

  /** One pass over every request to close; tried again while anything is left. */
  private closeAll(): void {
    let left = false
    let changed = false
    for (const request of this.store.requests) {
      if (this.settled.has(request.id)) continue
      const r = this.closeOne(request)
      left ||= r.left
      changed ||= r.changed
    }
    if (left) this.schedule(CLOSE_RETRY_MS)
    if (changed) this.notify()
  }

  /**
   * Moves the closing of one request on: its tickets' status (the winners' filled, the others
   * withdrawn), the trader's live quotes on the tickets without a part cancelled. Whether anything
   * is left to do, and whether what the ladder shows changed.
   */
  private closeOne(request: NetworkRequest): { left: boolean; changed: boolean } {
    const byId = this.byId
    const why = this.mustClose(request)
    if (why === null || !byId) return { left: false, changed: false }
    const fill = this.fillOf(request.id) ?? openFill(request.lots)
    const done = new Set(fill.done.map((c) => c.channelId))
    const inflight = new Set(fill.inflight.map((c) => c.channelId))
    const left: string[] = []
    let error: Failure | null = null
    for (const leg of request.legs) {
      // An accept in flight there: its ticket and quotes stay as they are until it is done or failed.
      if (inflight.has(leg.channelId)) continue
      const n = byId.get(leg.channelId)
      // Not in the observed list of the trader's channels (abandoned): nothing there can trade.
      if (!n) continue
      const view = n.snap?.view
      if (!n.session || !view) {
        left.push(`the channel with ${leg.counterparty} is not running: its ticket is closed once it runs`)
        continue
      }
      if (!done.has(leg.channelId)) {
        for (const q of view.quotes) {
          if (q.signed.quote.rfqId !== leg.rfqId || q.signed.quote.quoter !== n.record.me || q.status !== 'live') continue
          left.push(`your quote to ${leg.counterparty} is being cancelled`)
          // Under way, or done and not in the view yet: not signed again before CLOSE_RETRY_MS.
          const key = `cancel:${q.hash}`
          const at = this.issued.get(key)
          if (this.cancelling.has(q.hash) || (at !== undefined && this.clock() - at < CLOSE_RETRY_MS)) continue
          this.cancelling.add(q.hash)
          this.issued.set(key, this.clock())
          const session = n.session
          // The session's own queue may still refuse it (closing, a storage error): said, and tried again.
          void Promise.resolve()
            .then(() => session.cancelQuote(q.hash))
            .then(
              () => undefined,
              (e: unknown) => {
                this.issued.delete(key)
                this.lateErrors.set(request.id, failureOf(e))
              },
            )
            .finally(() => {
              this.cancelling.delete(q.hash)
              this.schedule(0)
            })
        }
      }
      if (why === 'claimed') continue
      const t = view.rfqs.find((x) => x.id === leg.rfqId)
      if (!t) {
        if (this.unseen.has(`${leg.channelId}:${leg.rfqId}`)) left.push(`${leg.counterparty}'s ticket is not in the channel yet: it is closed once it is`)
        continue
      }
      this.unseen.delete(`${leg.channelId}:${leg.rfqId}`)
      if (t.status === 'filled' || t.status === 'cancelled') continue
      const target = done.has(leg.channelId) ? 'filled' : 'cancelled'
      left.push(`${leg.counterparty}'s ticket is being ${target === 'filled' ? 'marked filled' : 'withdrawn'}`)
      const key = `${leg.channelId}:${leg.rfqId}:${target}`
      const at = this.issued.get(key)
      if (at !== undefined && this.clock() - at < CLOSE_RETRY_MS) continue
      try {
        n.session.editRfq(leg.rfqId, { field: 'status', value: target })
        this.issued.set(key, this.clock())
      } catch (e) {
        error = failureOf(e)
      }
    }
    // A cancel that failed leaves its quote live: it is in `left`, and tried again.
    const finished = left.length === 0 && error === null
    if (finished) this.lateErrors.delete(request.id)
    if (why === 'claimed') return { left: !finished, changed: false }
    const closing: RequestClosing = { why, done: finished, left, error: error ?? this.lateErrors.get(request.id) ?? null }
    const before = this.closings.get(request.id)
    // A part still in flight (an accept on an expired request waiting for its countersignature) is
    // still observed: it may fill, fail or be stopped.
    if (finished && inflight.size === 0) this.settled.add(request.id)
    // The same object while nothing it says changed: the ladder (memoized) skips the render.
    const changed = !before || before.why !== closing.why || before.done !== closing.done || before.left.join('\n') !== closing.left.join('\n') || before.error?.text !== closing.error?.text
    if (changed) this.closings.set(request.id, closing)
    return { left: !finished, changed }
  }
}

const all = new Map<string, NetworkRequests>()

/** The trader's network requests (one object per trader key for the page's life). */
export function networkRequestsOf(owner: string): NetworkRequests {
  let r = all.get(owner)
  if (!r) all.set(owner, (r = new NetworkRequests(owner, requestStore(owner))))
  return r
}

/** Given by the workspace: the requests a channel's Trade tab consults before an accept. Null outside one (tests). */
export const NetworkRequestsContext = createContext<NetworkRequests | null>(null)

export function useNetworkRequests(): NetworkRequests | null {
  return useContext(NetworkRequestsContext)
}
