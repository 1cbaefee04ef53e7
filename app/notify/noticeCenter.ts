// The one place the trader is told what happens in their channels, whichever screen shows: every
// channel's host (the channel screen for the channel it shows, ChannelBookHost for the others and
// on the screens across channels) steps the center with that channel's snapshot, and the center
// keeps what each channel has told (deskEvents.ts, expiring.ts) by channel, not by the component
// that asked: a channel whose host changes (the trader opens it, or leaves it for another) tells
// nothing twice and misses nothing in between. In the page always (a notice from a channel the
// screen does not show names the counterparty and opens the channel), and as a browser notification
// too when the tab is hidden and the trader allowed it. Payouts on chain and the contract's status
// seen, fills announced in the browser and expiries told are recorded per channel in this browser
// (toldOnChain.ts, browserFills.ts, expiring.ts), so a reload tells none of them again, and what
// the contract did while the app was closed is told on the next load. Expired positions a finalize
// left locked, to settle on chain before their window ends, are told once each (lockedDue.ts). A
// notice that asks the trader to act (a dispute, positions to settle on chain) stays until
// dismissed; every notice shown goes into the session's history.
import type { Hex, Party, Position } from '../../core/index.ts'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import { CHAIN_ORDER, deskEvents, deskMemoryOf, needsAction, withDeskNotices, withoutQuotes, type ChainStatus, type DeskEvent, type DeskEventInput, type DeskMemory, type ShownNotice } from './deskEvents.ts'
import { loadSeenStatus, loadToldPayouts, saveSeenStatus, saveToldPayouts } from './toldOnChain.ts'
import { browserReplacements, fillTag, loadBrowserFills, saveBrowserFills } from './browserFills.ts'
import { expiringEvents, loadToldExpiries, saveToldExpiries } from './expiring.ts'
import { loadToldDue, lockedDueMemoryOf, lockedDueStep, saveToldDue, withoutPaidOut, type LockedDueInput, type LockedDueMemory } from './lockedDue.ts'

/** The channel a notice comes from. */
export interface NoticeChannel {
  readonly channelId: Hex
  /** The counterparty's name, as the channel list shows it. */
  readonly label: string
}

export interface CenterNotice extends ShownNotice {
  readonly channelId: Hex
  readonly label: string
}

/** Where the center tells things outside the page, and its clock (tests pass their own). */
export interface NoticeOutside {
  /** True when a browser notification should be shown too: the trader allowed them and the tab is hidden. */
  readonly toBrowser: () => boolean
  /** True when the trader allowed browser notifications (a superseded fill's is replaced even while the tab shows). */
  readonly permitted: () => boolean
  /**
   * A browser notification: `from`, the channel's counterparty, goes in its title; `tag`, when one
   * is given, names it (a later one under the same tag replaces it in the browser's list).
   */
  readonly notify: (from: string, body: string, tag?: string) => void
  readonly now: () => number
}

/**
 * Few and brief: the notices float over the page (at phone width they sit in it, above the channel,
 * and push it down while they show: styles.css), so at most three informational ones, each gone 8 s
 * after it came (the history, the blotter and the audit keep the record); positions settling
 * together in one channel are one notice that counts them all (withDeskNotices). A notice that asks
 * the trader to act (needsAction: a dispute, positions to settle on chain) is not one of the three and stays until dismissed:
 * with several channels busy, quotes would push it off the screen within seconds.
 */
export const KEEP = 3
export const SHOW_MS = 8_000

/** The notices of this session kept in its history (the newest), whether still on screen or not. */
export const HISTORY_KEPT = 100

/** What one channel has told: its memory of the doc and the book, and its records in this browser. */
interface Told {
  memory: DeskMemory | null
  /** The payouts told on earlier visits (null: no record), read once. */
  readonly before: ReadonlySet<Hex> | null
  /** The told payouts last recorded. */
  saved: ReadonlySet<Hex> | null
  /** The contract's status seen on earlier visits (null: no record), read once. */
  readonly statusBefore: ChainStatus | null
  /** The status last recorded. */
  statusSaved: ChainStatus | null
  /** The fills told as browser notifications (null until first needed). */
  inBrowser: readonly Hex[] | null
  /** The expiries told (null until first needed). */
  expiries: ReadonlySet<number> | null
  /** The locked positions told due to settle on chain (null until first needed). */
  due: LockedDueMemory | null
}

export class NoticeCenter {
  private readonly channels = new Map<Hex, Told>()
  private notices: readonly CenterNotice[] = []
  /** Every notice shown this session, newest first (at most HISTORY_KEPT). */
  private history: readonly CenterNotice[] = []
  private nextId = 1
  private timer: ReturnType<typeof setTimeout> | null = null
  private readonly listeners = new Set<() => void>()
  /** The tickets whose quotes a screen shows as they come (`quietFor`), as `<channel id>|<ticket id>`, one set per screen part. */
  private readonly quiet = new Set<ReadonlySet<string>>()

  constructor(private readonly outside: NoticeOutside) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  readonly getSnapshot = (): readonly CenterNotice[] => this.notices

  /** The notices shown this session, newest first, dismissed or gone included (the same array until one is added). */
  readonly getHistory = (): readonly CenterNotice[] => this.history

  readonly dismiss = (id: number): void => this.set(this.notices.filter((n) => n.id !== id))

  /**
   * Tickets whose quotes a part of the screen shows as they come (the Network RFQ's ladders, a
   * close-out ticket on the Risk tab): a quote on one of them is told in the page no more (it would
   * cover what shows it), only to the browser when the tab is hidden; it is remembered as told all
   * the same. Until the returned function is called (the part changes its tickets or leaves:
   * `useQuietFor`); several parts may be quiet at once.
   */
  quietFor(tickets: readonly { readonly channelId: Hex; readonly rfqId: string }[]): () => void {
    const keys: ReadonlySet<string> = new Set(tickets.map((t) => `${t.channelId}|${t.rfqId}`))
    this.quiet.add(keys)
    return () => void this.quiet.delete(keys)
  }

  /** A channel the trader abandoned: its notices leave the screen and the history, and what it told is forgotten. */
  forget(channelId: Hex): void {
    this.channels.delete(channelId)
    const history = this.history.filter((n) => n.channelId !== channelId)
    const changed = history.length !== this.history.length
    if (changed) this.history = history
    this.set(this.notices.filter((n) => n.channelId !== channelId), changed)
  }

  /** Stops the timer (the workspace unmounts). */
  close(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.listeners.clear()
  }

  private told(channelId: Hex): Told {
    let t = this.channels.get(channelId)
    if (!t) {
      const statusBefore = loadSeenStatus(channelId)
      t = { memory: null, before: loadToldPayouts(channelId), saved: null, statusBefore, statusSaved: statusBefore, inBrowser: null, expiries: null, due: null }
      this.channels.set(channelId, t)
    }
    return t
  }

  /**
   * What changed in `channel` since it last stepped. Its first step is its memory (what is there is
   * not news; a restored channel's document, once its states arrive: `restored`), but for what the
   * contract did since this browser's last visit: payouts, a dispute, a finalize, a close
   * (toldOnChain.ts). Step only with a snapshot read in full: the session's view, this browser's
   * kept book and the contract (a failed read of it is null).
   */
  step(channel: NoticeChannel, input: Omit<DeskEventInput, 'toldBefore' | 'statusBefore'>): void {
    const t = this.told(channel.channelId)
    const snapshot = { ...input, toldBefore: t.before, statusBefore: t.statusBefore }
    t.memory ??= deskMemoryOf(snapshot)
    const step = deskEvents(t.memory, snapshot)
    t.memory = step.memory
    // A quote told that answers nothing any more (filled, expired, cancelled, its request over): its notice leaves the screen.
    this.set(withoutQuotes(this.notices, step.takenBack))
    const paid = step.memory.paidOnChain
    if (paid !== null && paid !== t.saved) {
      saveToldPayouts(channel.channelId, paid)
      t.saved = paid
    }
    const status = CHAIN_ORDER.find((x) => x === step.memory.chain)
    if (status !== undefined && status !== t.statusSaved) {
      saveSeenStatus(channel.channelId, status)
      t.statusSaved = status
    }
    const replaced = new Set<string>()
    if (this.outside.permitted()) {
      // A fill announced in the browser (now or on an earlier visit) that a finalize has since
      // superseded: its "Filled" is replaced under its tag, even while the tab is shown (it stays in
      // the browser's list), once.
      t.inBrowser ??= loadBrowserFills(channel.channelId)
      const r = browserReplacements(input.book.fills, t.inBrowser)
      for (const x of r.replace) {
        replaced.add(x.tag)
        this.outside.notify(channel.label, x.text, x.tag)
      }
      if (r.replace.length > 0) saveBrowserFills(channel.channelId, (t.inBrowser = r.told))
    }
    if (step.events.length === 0) return
    const onScreen = (e: DeskEvent) => e.kind === 'quote' && e.rfqId !== undefined && [...this.quiet].some((keys) => keys.has(`${channel.channelId}|${e.rfqId}`))
    this.show(channel, step.events.filter((e) => !onScreen(e)))
    if (!this.outside.toBrowser()) return
    for (const n of step.events) {
      // Replaced above, under the fills' tags; told as news only when none was in the browser's list.
      if (n.kind === 'superseded' && (n.fills ?? []).some((p) => replaced.has(fillTag(p)))) continue
      if (n.kind === 'fill' && n.fills?.[0] !== undefined) {
        t.inBrowser ??= loadBrowserFills(channel.channelId)
        saveBrowserFills(channel.channelId, (t.inBrowser = [...t.inBrowser, n.fills[0]]))
        this.outside.notify(channel.label, n.text, fillTag(n.fills[0]))
      } else if (n.tag !== undefined) this.outside.notify(channel.label, n.text, `${channel.channelId}-${n.tag}`) // the contract's move: one per channel and status
      else this.outside.notify(channel.label, n.text) // replaces none (an id restarts with each load)
    }
  }

  /**
   * An expiry within the hour of `channel`'s open positions (as Risk counts them), once per expiry,
   * also across reloads (expiring.ts). `now`: the chain's clock, null until it is read.
   */
  expiring(channel: NoticeChannel, open: readonly Position[], me: Party, now: number | null): void {
    if (now === null) return
    const t = this.told(channel.channelId)
    t.expiries ??= loadToldExpiries(channel.channelId)
    const step = expiringEvents(t.expiries, open, me, now)
    if (step.events.length === 0) return
    saveToldExpiries(channel.channelId, (t.expiries = step.told))
    const added = this.show(channel, step.events)
    // Tagged by channel and expiry: one per expiry of each channel, whichever visit or tab told it.
    if (this.outside.toBrowser()) for (const n of added) this.outside.notify(channel.label, n.text, `${channel.channelId}-${n.tag}`)
  }

  /**
   * Expired positions `channel`'s finalize left locked on the contract, to settle at the oracle's
   * price before their window ends (lockedDue.ts): once per position, also across reloads; "While
   * you were away" when already due at this load's first read of a contract this browser saw on an
   * earlier load. Its notice leaves the screen once the contract paid out all it names. `input.now`:
   * the chain's clock.
   */
  lockedDue(channel: NoticeChannel, input: Omit<LockedDueInput, 'seenBefore' | 'chain'> & { readonly chain: (LockedDueInput['chain'] & Pick<SettlementChannelView, 'paidOut'>) | null }): void {
    const t = this.told(channel.channelId)
    this.set(withoutPaidOut(this.notices, channel.channelId, input.chain?.paidOut.map((x) => x.positionId) ?? []))
    t.due ??= lockedDueMemoryOf(loadToldDue(channel.channelId))
    const step = lockedDueStep(t.due, { ...input, seenBefore: t.statusBefore !== null })
    if (step.memory.told !== t.due.told) saveToldDue(channel.channelId, step.memory.told)
    t.due = step.memory
    const added = this.show(channel, step.events)
    // Tagged by channel and batch: one per batch, whichever visit or tab told it.
    if (this.outside.toBrowser()) for (const n of added) this.outside.notify(channel.label, n.text, `${channel.channelId}-${n.tag}`)
  }

  private show(channel: NoticeChannel, events: readonly DeskEvent[]): CenterNotice[] {
    if (events.length === 0) return []
    const at = this.outside.now()
    const added = events.map((e) => ({ ...e, id: this.nextId++, at, channelId: channel.channelId, label: channel.label }))
    this.history = [...added].reverse().concat(this.history).slice(0, HISTORY_KEPT)
    this.set(withDeskNotices(this.notices, added, KEEP), true)
    return added
  }

  /** `changed`: something else the listeners read changed (the history), though the notices on screen may not have. */
  private set(notices: readonly CenterNotice[], changed = false): void {
    if (notices === this.notices && !changed) return
    if (notices !== this.notices) {
      this.notices = notices
      this.schedule()
    }
    for (const l of this.listeners) l()
  }

  /** Each informational notice leaves SHOW_MS after it came (the trader can dismiss it sooner); one that asks to act stays until dismissed. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const passing = this.notices.filter((n) => !needsAction(n))
    if (passing.length === 0) return
    const first = Math.min(...passing.map((n) => n.at)) + SHOW_MS
    this.timer = setTimeout(() => {
      this.timer = null
      const now = this.outside.now()
      this.set(this.notices.filter((n) => needsAction(n) || n.at + SHOW_MS > now))
    }, Math.max(0, first - this.outside.now()) + 20)
  }
}
