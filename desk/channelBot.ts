// One channel of the demo desk, run end to end: its store (in the desk's journal), its ChannelSession (the protocol
// engine signs under the session's policy), its y-webrtc room over @roamhq/wrtc, and the desk's
// reactions, run one at a time on every change and once a second:
//   opening   A countersigns the agreed opening (the session's `opening` option); once version 0 is
//             co-signed the desk writes its EIP-712 open authorisation into the doc's auths map, and
//             opens the channel on the contract with the trader's (the trader may open first).
//   RFQs      quote / requote / cancel per ticket (marketMaker.ts), only while open on chain.
//   counters  accept a counter to one of its quotes when the rule allows it (marketMaker.ts).
//   approvals final: always; unwind: at its own close-out quotes, else near fair value
//             (marketMaker.ts); nothing else.
//   expiry    proposes the settle of expired positions with the oracle's attestation.
//   close     once the final state is co-signed, writes its close authorisation and closes on the
//             contract with the trader's; every new latest state of a channel on the contract goes
//             to the watchtower service.
//   dispute   refutes a dispute raised with an older state than its latest, itself and at once (the
//             watchtower may be slower, or absent); after the deadline finalizes with its state
//             when the contract holds it, then settles each locked position on chain at expiry
//             with the oracle's attestation (or refunds it after the fallback).
import { staleDispute } from '../channel-contract/client/dispute.ts'
import { settlementEnd, type ChainSettlement, type SettlementChannelView } from '../channel-contract/client/settlement.ts'
import { countOf, isProtocolError, isUnwindTicket, balanceOf, formatUnits, otherParty, stateHash, type ContractChannelStatus, type Hex, type KeyPair, type SignedState } from '../core/index.ts'
import { ChannelSession, channelEnded, ensureAuthorization, intentKey, ownSettleOpen, positionsToSettle, readAuthorization, rfqDecline, settlementsFor, type ChannelView } from '../core/sync/index.ts'
import { nodeSigner, nodeVerifier } from '../core/sync/node.ts'
import type { ChannelStore } from '../core/sync/store.ts'
import { BoundedMemo } from '../core/sync/memo.ts'
import type { ChannelEntry } from './channels.ts'
import { closeOutQuotes, counterDecision, quotedUnwindDecision, priceTicket, quoteForTicket, randomNonce, sameAsk, signCloseOutQuote, ticketAction, ticketPackage, packageKey, packageStillValid, unwindDecision, type DeskRules, type LiveQuote, type QuoteDecision, type TicketInput, type TicketPackage, type TicketPricing } from './marketMaker.ts'
import type { ChainMarket } from './chainMarket.ts'
import type { ChannelLink, ConnectChannel } from './transport.ts'
import { QuoteBackoff } from './quoteBackoff.ts'

export type ChannelBotStatus = 'starting' | 'opening' | 'signed' | 'open' | 'closing' | 'disputed' | 'finalized' | 'closed' | 'failed'

export interface ChannelBotDeps {
  readonly entry: ChannelEntry
  readonly keys: KeyPair
  /** The contract (with the desk's EVM account as the wallet), the oracle and the watchtower services. */
  readonly settlement: ChainSettlement
  readonly market: ChainMarket
  /** The channel's link to the trader (a y-webrtc room in the desk's process). */
  readonly connect: ConnectChannel
  /** This channel's store (the desk's journal, core/sync/journal-store.ts); the desk closes it. */
  readonly store: ChannelStore
  readonly name: string
  readonly rules: DeskRules
  /** The desk's answer to a ticket (its style, styles.ts); default core's rules alone (quoteForTicket). */
  readonly quoteTicket?: (i: TicketInput) => QuoteDecision
  readonly watchtower: boolean
  readonly log: (line: string) => void
  /** Runs an open that moves `amount` of the desk's free balance into the channel, once it is covered (funding.ts spend). */
  readonly spendFunds: <T>(amount: bigint, tx: () => Promise<T>) => Promise<T>
}


const TICK_MS = 1_000
/** The fallback read of the channel on the contract; the desk's event follower pokes the bot at once. */
const CHAIN_POLL_MS = 10_000
const RETRY_MS = 5_000
/**
 * Decisions remembered per channel (tickets filled, proposals decided, counters answered): the
 * recent ones, as many as a few epochs can hold. A channel sees a new ticket per trade, and a desk
 * runs for as long as it runs.
 */
const RECENT = 1024
/** Retry times (due) older than this are forgotten: every wait is shorter. */
const FORGET_TRIED_MS = 10 * 60_000
/** How long past the read the counterparty's open authorisation must still be good: the open is sent, and mined, after it. */
const AUTH_SEND_MARGIN_MS = 60_000
/**
 * A ticket's pricing (marketMaker.ts priceTicket) is reused while the ticket, the spot and the
 * second (of the market's clock) are the same: the bot runs after every change of the channel, and
 * re-pricing every open ticket each time was its largest cost. Time to expiry moves a price by far
 * less in a second than the spot does; a new spot re-prices at once. The checks against the
 * channel's balances and the style's limits run every time.
 */
const REPRICE_MS = 1_000

function reason(e: unknown): string {
  if (isProtocolError(e)) return `${e.code}: ${e.message}`
  return e instanceof Error ? e.message : String(e)
}

export class ChannelBot {
  private chain: ContractChannelStatus | null = null
  private chainView: SettlementChannelView | null = null
  /** The version last handed to the watchtower service. */
  private watchedVersion = -1
  /** `disputed:refuteWith` of the refute sent last (one per dispute and version). */
  private refuted = ''
  private chainCheckedAt = 0
  private opening: SignedState | null = null
  private lastLatestHash: Hex | null = null
  private loggedVersion = -1
  /** Tickets the desk filled (the recent ones: a late counter on one is left). */
  private readonly filled = new BoundedMemo<string, true>(RECENT)
  /** Tickets with a trade the desk proposed (an accepted counter) not yet resolved: no quoting meanwhile. */
  private readonly filling = new Map<string, { intent: string; at: number }>()
  private readonly handledCounters = new BoundedMemo<Hex, true>(RECENT)
  private readonly decided = new BoundedMemo<string, true>(RECENT)
  private readonly tried = new Map<string, number>()
  private readonly skipNotes = new Map<string, string>()
  /** Per ticket: what it last asked for (the decision on it, compared by sameAsk) and since when (real time), for the quiet period. */
  private readonly seen = new Map<string, { asked: QuoteDecision; since: number }>()
  /** Quotes into a channel that does not progress back off. */
  private readonly quoteBackoff = new QuoteBackoff()
  /** So do settle proposals the peer refuses (each is a signed state the desk stores): 3, then 10 s doubling to 5 min. */
  private readonly settleBackoff = new QuoteBackoff(3, 10_000, 300_000)
  private backoffLogged = false
  private errorsSeen = 0
  private presenceSet = false
  private loggedLink = ''
  private openingProposed = false
  /** A restored channel's state was asked of the watchtower and taken (or it holds none): not asked again. */
  private watchtowerAsked = false
  private timer: ReturnType<typeof setInterval> | null = null
  private unsubs: (() => void)[] = []
  private running = false
  /** The pass in progress (or the last one): stop() waits for it. Never rejects. */
  private pass: Promise<void> = Promise.resolve()
  /** When the last pass started (real time). */
  private tickedAt = 0
  private again = false
  private stopped = false

  private constructor(
    private readonly d: ChannelBotDeps,
    readonly session: ChannelSession,
    readonly room: ChannelLink,
  ) {}

  get channelId(): Hex {
    return this.d.entry.channelId
  }

  static async start(d: ChannelBotDeps): Promise<ChannelBot> {
    const { entry } = d
    const store = d.store
    const session = await ChannelSession.open({
      params: entry.params,
      me: entry.me,
      secretKey: d.keys.secretKey,
      store,
      signer: nodeSigner(d.keys.secretKey),
      verifier: nodeVerifier(),
      clock: d.market.now,
      // The desk accepted the invite with these deposits: it countersigns that opening state.
      // A restored entry (data lost) never signs an opening again; it restores from the peer's copy.
      ...(entry.restoredAt === undefined ? { opening: { depositA: entry.deposits.A, depositB: entry.deposits.B } } : { restoring: true }),
    })
    const room = d.connect(session.doc, entry)
    session.attachTransport(room)
    const bot = new ChannelBot(d, session, room)
    bot.loggedVersion = session.view.latest?.state.version ?? -1
    bot.lastLatestHash = session.view.latestHash
    if (session.view.latest?.state.version === 0) bot.opening = session.view.latest
    bot.unsubs.push(session.subscribe(() => bot.schedule()), room.subscribe(() => bot.schedule()), d.market.onRefresh(() => bot.schedule()))
    await bot.refreshChain(true)
    // At least one pass a second (time moves quotes towards expiry and tickets out of their quiet
    // period); a channel whose doc or marks just changed has had its pass already.
    bot.timer = setInterval(() => {
      if (Date.now() - bot.tickedAt >= TICK_MS / 2) bot.schedule()
    }, TICK_MS)
    bot.schedule()
    return bot
  }

  /** For GET /info. */
  summary(): { channelId: Hex; status: ChannelBotStatus; latestVersion: number | null } {
    const latest = this.session.view.latest
    let status: ChannelBotStatus
    if (this.chain === 'open') status = latest?.state.isFinal ? 'closing' : 'open'
    else if (this.chain !== null && this.chain !== 'none') status = this.chain
    else status = latest ? 'signed' : 'opening'
    return { channelId: this.channelId, status, latestVersion: latest?.state.version ?? null }
  }

  /**
   * Stops the bot: no new pass, the link down, then the pass in flight ends (it stops at its next
   * step: each checks `stopped`) before the session closes, so the bot writes nothing to its store
   * after stop() resolves (the desk closes the journal then). `compactBy` (epoch ms): the store is
   * compacted only if that begins before it (the desk stops every channel against one deadline).
   * Resolves with what became of the store: compacted, left as it was past the deadline ('late'),
   * or nothing to compact ('clean').
   */
  async stop(opts: { readonly compactBy?: number } = {}): Promise<'compacted' | 'late' | 'clean'> {
    if (this.stopped) return 'clean'
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    for (const u of this.unsubs) u()
    this.room.destroy()
    await this.pass
    // Compacted as it closes: the desk's next start opens the channel from its latest state.
    const by = opts.compactBy
    // Asked only if anything was appended since the store last compacted.
    let asked: boolean | null = null
    await this.session.close({ compactStore: () => (asked = by === undefined || Date.now() < by) })
    return asked === null ? 'clean' : asked ? 'compacted' : 'late'
  }

  private log(line: string): void {
    this.d.log(`[${this.channelId.slice(0, 8)}] ${line}`)
  }

  private money(v: bigint): string {
    return `${formatUnits(v, this.d.entry.params.assetDecimals, { group: true })} ${this.d.entry.params.asset}`
  }

  /** Runs `fn` at most once per RETRY_MS for `key` (real time: the chain's clock may jump). */
  private due(key: string, ms = RETRY_MS): boolean {
    const at = this.tried.get(key) ?? 0
    if (Date.now() - at < ms) return false
    this.tried.set(key, Date.now())
    if (this.tried.size > RECENT) for (const [k, t] of this.tried) if (Date.now() - t > FORGET_TRIED_MS) this.tried.delete(k)
    return true
  }

  private schedule(): void {
    if (this.stopped) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    setTimeout(() => {
      this.pass = this.tick()
        .catch((e) => this.log(`error: ${reason(e)}`))
        .finally(() => {
          this.running = false
          if (this.again && !this.stopped) {
            this.again = false
            this.schedule()
          }
        })
    }, 0)
  }

  private async tick(): Promise<void> {
    if (this.stopped) return
    this.tickedAt = Date.now()
    const s = this.session
    // The session's last view (it recomputes after every change of the doc or its storage, and
    // tells us): one view per change, not another one per reaction.
    const snap = s.getSnapshot()
    for (const e of snap.errors.slice(this.errorsSeen)) this.log(`engine: ${e}`)
    this.errorsSeen = snap.errors.length
    // The link's state in the log (a channel stuck before its opening is told apart: no peer, or a
    // peer whose updates never arrive).
    const c = snap.connection
    const link = `${countOf(c.webrtcPeers, 'WebRTC peer')}, ${c.signalingConnected} signaling, ${c.synced ? 'synced' : 'not synced'}`
    if (link !== this.loggedLink) {
      this.log(`link: ${link}`)
      this.loggedLink = link
    }
    if (!this.presenceSet && this.room.awareness) {
      s.setPresence({ name: this.d.name, editing: null })
      this.presenceSet = true
    }
    await this.refreshChain()
    // Stopped meanwhile: act no more (stop() waits for this pass, then closes the session and the store).
    if (this.stopped) return
    const view = s.getSnapshot().view
    const latest = view.latest
    if (latest && view.latestHash !== this.lastLatestHash) this.onNewLatest(view, latest)

    await this.restoreFromWatchtower()
    if (this.stopped) return
    if (!latest && s.me === 'A' && this.d.entry.restoredAt === undefined && !this.openingProposed && !view.outcomes.some((o) => o.type === 'open')) {
      this.openingProposed = true
      await s.proposeOpening(this.d.entry.deposits.A, this.d.entry.deposits.B).catch((e) => this.log(`cannot propose the opening: ${reason(e)}`))
    }
    if (!latest) return
    // Read when its step comes: the steps before may open the channel on chain.
    const quoting = () => this.chain === 'open' && !latest.state.isFinal
    const steps: (() => Promise<void> | void)[] = [
      () => this.refuteStale(latest),
      () => this.endOnChain(latest),
      () => this.openOnChain(),
      () => this.handToWatchtower(latest),
      () => this.approvals(view),
      () => (quoting() ? this.counters(view) : undefined),
      () => (quoting() ? this.tickets(view) : undefined),
      () => (latest.state.isFinal ? this.closeOnChain(latest) : this.settleExpired(view)),
    ]
    for (const step of steps) {
      if (this.stopped) return
      await step()
    }
  }

  // ---- chain ----

  private async refreshChain(force = false): Promise<void> {
    // Nothing more can happen to a closed channel, nor to a finalized one with no locked position.
    if (this.chain === 'closed' || (this.chain === 'finalized' && this.chainView?.lockedCount === 0)) return
    if (!force && Date.now() - this.chainCheckedAt < CHAIN_POLL_MS) return
    this.chainCheckedAt = Date.now()
    try {
      const latest = this.session.view.latest
      const c = await this.d.settlement.view(this.d.entry.params, latest ? [latest] : [])
      const status = c?.status ?? 'none'
      if (status !== this.chain) this.log(`on chain: ${status}${c?.dispute ? ` at version ${c.dispute.version} (deadline ${new Date(c.dispute.deadline).toISOString()})` : ''}`)
      this.chain = status
      this.chainView = c
      // Finalized or closed: the contract pays out by its state alone; the session signs nothing more.
      this.session.setEnded(channelEnded(c))
    } catch (e) {
      this.log(`cannot read the channel on the contract: ${reason(e)}`)
    }
  }

  /** Reads the channel on the contract now (an event said it changed) and reacts. */
  poke(): void {
    this.chainCheckedAt = 0
    this.schedule()
  }

  /** A dispute with an older version than the desk's latest co-signed state: refute it now. */
  private async refuteStale(latest: SignedState): Promise<void> {
    const stale = staleDispute(this.chainView, latest, this.d.market.now())
    if (!stale) return
    const key = `${stale.disputed}:${stale.refuteWith}`
    if (this.refuted === key && !this.due(`refute:${key}`)) return
    this.refuted = key
    this.tried.set(`refute:${key}`, Date.now())
    try {
      await this.d.settlement.refute(this.d.entry.params, latest)
      this.log(`refuted the dispute at version ${stale.disputed} with version ${stale.refuteWith} (deadline ${new Date(stale.deadline).toISOString()})`)
    } catch (e) {
      // STALE_VERSION: someone (the watchtower) refuted first with this version or a newer one.
      this.log(`refute with version ${stale.refuteWith} refused: ${reason(e)}`)
    }
    await this.refreshChain(true)
  }

  /**
   * A dispute past its deadline: finalize with the state the contract holds when it is the desk's
   * latest (anyone may; the trader may be gone). A finalized channel: settle each locked position
   * past expiry with the oracle's attestation, or refund it once the fallback has passed.
   */
  private async endOnChain(latest: SignedState): Promise<void> {
    const v = this.chainView
    if (!v) return
    const now = this.d.market.now()
    if (v.status === 'disputed' && v.dispute && now >= v.dispute.deadline && this.due('finalize', 10_000)) {
      if (v.dispute.stateHash !== stateHash(latest.state)) {
        this.log(`the dispute's deadline has passed at version ${v.dispute.version}; the desk's latest is version ${latest.state.version}: not the state the contract holds, left to whoever has it`)
        return
      }
      try {
        const tx = await this.d.settlement.finalize(this.d.entry.params, latest.state)
        this.log(`finalized at version ${latest.state.version}: A ${this.money(latest.state.balanceA)}, B ${this.money(latest.state.balanceB)} paid, ${countOf(latest.state.positions.length, 'position')} locked (tx ${tx.hash})`)
      } catch (e) {
        this.log(`finalize refused: ${reason(e)}`)
      }
      await this.refreshChain(true)
      return
    }
    if (v.status !== 'finalized' || !v.lockedPositions) return
    for (const p of v.lockedPositions) {
      if (this.stopped) return
      if (now < p.terms.expiry || !this.due(`settle-on-chain:${p.id}`, 10_000)) continue
      try {
        if (v.finalizableAt !== null && now >= settlementEnd(p.terms.expiry, v.finalizableAt)) {
          await this.d.settlement.refundPosition(this.d.entry.params, p)
          this.log(`refunded position ${p.id.slice(0, 8)} on the contract (no settlement by the fallback)`)
        } else {
          const att = await this.d.settlement.attestation(p.terms.feed, p.terms.expiry)
          const tx = await this.d.settlement.settlePosition(this.d.entry.params, p, att)
          this.log(`settled position ${p.id.slice(0, 8)} on the contract at ${p.terms.feed} ${att.attestation.price} (tx ${tx.hash})`)
        }
      } catch (e) {
        // UNKNOWN_POSITION: the trader settled it first.
        this.log(`settling position ${p.id.slice(0, 8)} on the contract refused: ${reason(e)}`)
      }
      await this.refreshChain(true)
    }
  }

  /**
   * Writes the desk's EIP-712 authorisation of `kind` with `signed` into the doc (once; again if a
   * peer deleted it) and returns the counterparty's, or null while the doc holds none.
   */
  private async authorizations(kind: 'open' | 'close', signed: SignedState): Promise<string | null> {
    const { params, me } = this.d.entry
    const h = stateHash(signed.state)
    try {
      const wrote = await ensureAuthorization(this.session.doc, params, me, kind, h, (id, sh, terms) => this.d.settlement.chain.authorize(id, sh, terms), this.d.market.now())
      if (wrote) this.log(`wrote the desk's ${kind} authorisation for version ${signed.state.version} into the channel`)
    } catch (e) {
      if (this.due(`auth:${kind}`)) this.log(`cannot write the ${kind} authorisation: ${reason(e)}`)
    }
    return readAuthorization(this.session.doc, params, kind, h, otherParty(me), this.d.market.now() + AUTH_SEND_MARGIN_MS)
  }

  private async openOnChain(): Promise<void> {
    if (this.chain !== 'none' || !this.opening) return
    const theirs = await this.authorizations('open', this.opening)
    if (theirs === null) {
      if (this.due('open:waiting', 30_000)) this.log("open on the contract: waiting for the trader's open authorisation in the channel")
      return
    }
    if (!this.due('open')) return
    const { entry } = this.d
    try {
      const opening = this.opening
      const tx = await this.d.spendFunds(entry.deposits[entry.me], () => this.d.settlement.open(entry.params, opening, theirs))
      this.log(`opened the channel on the contract (deposits A ${this.money(entry.deposits.A)}, B ${this.money(entry.deposits.B)}; tx ${tx.hash}, gas ${tx.gasUsed})`)
    } catch (e) {
      if (isProtocolError(e) && e.code === 'CHANNEL_EXISTS') this.log('open on the contract: the trader opened it first')
      else this.log(`open on the contract refused: ${reason(e)}`)
    }
    await this.refreshChain(true)
  }

  private async closeOnChain(latest: SignedState): Promise<void> {
    if (this.chain !== 'open' && this.chain !== 'disputed') return
    const theirs = await this.authorizations('close', latest)
    if (theirs === null || !this.due('close')) return
    try {
      const tx = await this.d.settlement.close(this.d.entry.params, latest, theirs)
      this.log(`closed on the contract at version ${latest.state.version}: A ${this.money(latest.state.balanceA)}, B ${this.money(latest.state.balanceB)} (tx ${tx.hash}, gas ${tx.gasUsed})`)
    } catch (e) {
      this.log(`close on the contract refused (the trader may have closed first): ${reason(e)}`)
    }
    await this.refreshChain(true)
  }

  /** The watchtower service keeps the newest co-signed state of a channel on the contract (it refuses others). */
  /**
   * A channel restored after the desk lost its data (desk.ts recoverLost) comes back from the
   * trader's copy of the doc, but the trader may be offline for hours, with a dispute on the
   * contract meanwhile: the watchtower holds the latest state the desk handed it, asked for with a
   * request the desk signs (core/watchtower-read.ts). The client checks the answer (this channel,
   * both signatures, conservation) and the session takes it only as the engine takes a stored root
   * (addCosigned); a newer state from the trader wins as usual. Asked every 10 s until it answers.
   */
  private async restoreFromWatchtower(): Promise<void> {
    if (this.d.entry.restoredAt === undefined || !this.d.watchtower || this.watchtowerAsked || !this.due('watchtower-restore', 10_000)) return
    try {
      const got = await this.d.settlement.watchtowerState(this.d.entry.params, this.d.keys)
      const version = got.signed.state.version
      const latest = await this.session.addCosigned(got.signed)
      this.watchtowerAsked = true
      this.log(latest === version ? `restored version ${version} from the watchtower` : `the watchtower holds version ${version}; the channel is at version ${latest} already`)
    } catch (e) {
      if (isProtocolError(e) && e.code === 'UNKNOWN_CHANNEL') {
        this.watchtowerAsked = true
        this.log('the watchtower holds no state of this channel: restoring from the counterparty\'s copy only')
      } else if (this.due('watchtower-restore-log', 60_000)) this.log(`cannot restore from the watchtower: ${reason(e)} (asked again every 10 s)`)
    }
  }

  private handToWatchtower(latest: SignedState): void {
    if (!this.d.watchtower || (this.chain !== 'open' && this.chain !== 'disputed')) return
    const version = latest.state.version
    // At most one hand-off a second (a refused one is tried again then; a newer state supersedes it).
    if (version <= this.watchedVersion || latest.sigA === null || latest.sigB === null || !this.due('watch', 1_000)) return
    this.watchedVersion = version
    this.d.settlement.watch(this.d.entry.params, latest).then(
      () => this.log(`watchtower holds version ${version}`),
      (e: unknown) => {
        if (this.watchedVersion === version) this.watchedVersion = version - 1 // tried again on a later tick
        if (this.due(`watch-log:${version}`, 30_000)) this.log(`watchtower refused version ${version}: ${reason(e)}`)
      },
    )
  }

  // ---- states ----

  private onNewLatest(view: ChannelView, latest: SignedState): void {
    this.lastLatestHash = view.latestHash
    this.quoteBackoff.progress()
    this.settleBackoff.progress()
    this.backoffLogged = false
    if (latest.state.version === 0) this.opening = latest
    for (const a of [...view.accepted].sort((x, y) => x.version - y.version)) {
      if (a.version <= this.loggedVersion) continue
      const t = a.transition
      if (t === null) this.log(`opening co-signed (version 0)`)
      else if (t.type === 'trade') {
        const q = t.quote.quote
        const deskSells = (q.quoter === view.me) === (q.side === 'sell')
        this.log(`trade done (version ${a.version}): the desk ${deskSells ? 'sold' : 'bought'} ${q.terms.feed} ${q.terms.legs.length}-leg package for ${this.money(q.premium)}`)
      } else if (t.type === 'settle') this.log(`settled ${countOf(t.settlements.length, 'position')} at expiry (version ${a.version})`)
      else if (t.type === 'unwind') this.log(`unwound ${countOf(t.positionIds.length, 'position')}, A pays B ${this.money(t.paymentAtoB)} (version ${a.version})`)
      else this.log(`final state co-signed (version ${a.version})`)
      if (t?.type === 'trade' && t.quote.quote.rfqId) this.filled.set(t.quote.quote.rfqId, true)
    }
    this.loggedVersion = Math.max(this.loggedVersion, latest.state.version)
    this.log(`latest version ${latest.state.version}: A ${this.money(latest.state.balanceA)}, B ${this.money(latest.state.balanceB)}, ${countOf(latest.state.positions.length, 'open position')}`)
    for (const t of view.rfqs) if (this.filled.has(t.id) && t.status !== 'filled') this.session.editRfq(t.id, { field: 'status', value: 'filled' })
  }

  // ---- approvals ----

  private async approvals(view: ChannelView): Promise<void> {
    for (const p of view.pending) {
      if (this.stopped) return
      if (p.status !== 'awaiting-approval' || p.proposal.proposer === view.me || this.decided.has(p.intent)) continue
      const t = p.proposal.transition
      if (t === null) {
        const ok = p.proposal.state.balanceA === this.d.entry.deposits.A && p.proposal.state.balanceB === this.d.entry.deposits.B
        this.decided.set(p.intent, true)
        if (ok) await this.session.approve(p.intent)
        else await this.session.decline(p.intent)
        this.log(`${ok ? 'approved' : 'declined'} the opening proposal (${p.intent})`)
      } else if (t.type === 'final') {
        this.decided.set(p.intent, true)
        await this.session.approve(p.intent)
        this.log('approved the final state (cooperative close)')
      } else if (t.type === 'unwind') {
        const latest = view.latest!.state
        const positions = latest.positions.filter((x) => t.positionIds.includes(x.id))
        // A close-out the desk quoted (marketMaker.ts quotedUnwindDecision): at its quotes or better.
        const quoted = quotedUnwindDecision({ positions, paymentAtoB: t.paymentAtoB, me: view.me, at: t.timestamp, quotes: closeOutQuotes(view) })
        if (quoted.approve || quoted.code === 'BELOW_QUOTE') {
          this.decided.set(p.intent, true)
          if (quoted.approve) {
            await this.session.approve(p.intent)
            this.log(`approved the close-out of ${countOf(positions.length, 'position')} at the desk's quotes (A pays B ${this.money(t.paymentAtoB)})`)
          } else {
            await this.session.decline(p.intent)
            this.log(`declined the close-out: ${quoted.reason}`)
          }
          continue
        }
        const d = unwindDecision({ positions, paymentAtoB: t.paymentAtoB, me: view.me, spots: this.d.market.allSpots(), now: this.d.market.now(), rules: this.d.rules })
        if (!d.approve && d.code === 'NO_MARK') continue // decide once the marks are in
        this.decided.set(p.intent, true)
        if (d.approve) {
          await this.session.approve(p.intent)
          this.log(`approved the unwind of ${countOf(positions.length, 'position')} (A pays B ${this.money(t.paymentAtoB)})`)
        } else {
          await this.session.decline(p.intent)
          this.log(`declined the unwind: ${d.reason}`)
        }
      } else {
        this.decided.set(p.intent, true)
        this.log(`left a ${t.type} proposal awaiting approval (the desk approves only final and unwind)`)
      }
    }
  }

  // ---- negotiation ----

  private async counters(view: ChannelView): Promise<void> {
    const latest = view.latest!.state
    for (const q of view.quotes) {
      if (this.stopped) return
      const c = q.signed.quote
      if (c.quoter === view.me || q.status !== 'live' || q.counterOf === null || this.handledCounters.has(q.hash)) continue
      const mine = view.quotes.find((x) => x.hash === q.counterOf && x.signed.quote.quoter === view.me)
      if (!mine) continue
      this.handledCounters.set(q.hash, true)
      if (c.rfqId && this.filled.has(c.rfqId)) {
        this.log(`counter ${q.hash.slice(0, 8)} left: the ticket is already filled`)
        continue
      }
      const closeOut = view.rfqs.some((t) => t.id === c.rfqId && isUnwindTicket(t))
      const d = counterDecision({ counter: c, mine: mine.signed.quote, spot: this.d.market.spot(c.terms.feed), now: this.d.market.now(), myBalance: balanceOf(latest, view.me), rules: this.d.rules, closeOut })
      if (!d.accept) {
        this.log(`counter ${q.hash.slice(0, 8)} at ${this.money(c.premium)} left: ${d.code}: ${d.reason}`)
        // The trader sees why, in words (QuoteView.declined), instead of waiting for it to expire.
        try {
          this.session.declineQuote(q.hash, d.code, d.reason)
        } catch (e) {
          this.log(`could not answer counter ${q.hash.slice(0, 8)}: ${reason(e)}`)
        }
        continue
      }
      try {
        // The desk's own quote on the ticket goes first: one fill per ticket.
        if (mine.status === 'live') await this.session.cancelQuote(mine.hash)
        await this.session.accept(q.hash)
        if (c.rfqId) this.filling.set(c.rfqId, { intent: intentKey({ type: 'trade', quote: q.signed, timestamp: 0 }), at: Date.now() })
        this.log(`accepted counter ${q.hash.slice(0, 8)}: the trader ${c.side === 'buy' ? 'buys' : 'sells'} at ${this.money(c.premium)} (desk mid ${this.money(BigInt(Math.round(d.fairMinor)))})`)
      } catch (e) {
        this.log(`could not accept counter ${q.hash.slice(0, 8)}: ${reason(e)}`)
      }
    }
  }

  /** The desk's answer to a ticket (its style, or quoteForTicket), with the ticket's pricing reused as REPRICE_MS says. */
  private price(i: TicketInput): QuoteDecision {
    const decide = this.d.quoteTicket ?? quoteForTicket
    if (isUnwindTicket(i.ticket)) return decide(i)
    const second = Math.floor(i.now / REPRICE_MS)
    let hit = this.priced.get(i.ticket)
    if (!hit || hit.spot !== i.spot || hit.second !== second) this.priced.set(i.ticket, (hit = { spot: i.spot, second, pricing: priceTicket(i, this.packageOf(i)) }))
    return decide({ ...i, pricing: hit.pricing })
  }

  /** By ticket object: the reader hands out the same object while the ticket's entry is unchanged. */
  private readonly priced = new WeakMap<TicketInput['ticket'], { readonly spot: number | undefined; readonly second: number; readonly pricing: TicketPricing }>()

  /**
   * The ticket's package (its parse and max loss: most of a pricing's cost), kept by what it is
   * made of (feed, expiry, side, legs) until it expires: a ticket re-read after its status or notes
   * changed (open, quoted, filled) is the same package.
   */
  private packageOf(i: TicketInput): TicketPackage {
    const key = packageKey(i.ticket)
    const kept = this.packages.get(key)
    if (kept !== undefined && kept.spec === i.spec && packageStillValid(kept.pkg, i.now)) return kept.pkg
    const pkg = ticketPackage(i)
    this.packages.set(key, { spec: i.spec, pkg })
    return pkg
  }

  /** Four times the tickets a channel can list at once (core/sync schema.ts MAX_RFQS, 64). */
  private readonly packages = new BoundedMemo<string, { readonly spec: TicketInput['spec']; readonly pkg: TicketPackage }>(256)

  private async tickets(view: ChannelView): Promise<void> {
    const latest = view.latest!.state
    const now = this.d.market.now()
    const spec = this.d.market.spec(this.d.entry.params.oracle)
    // What the bot notes per ticket, for the tickets the view lists only.
    const listed = new Set(view.rfqs.map((t) => t.id))
    for (const notes of [this.seen, this.skipNotes, this.filling]) for (const id of notes.keys()) if (!listed.has(id)) notes.delete(id)
    // The desk's live quotes by ticket, in the view's order (one pass over the quotes, not one per ticket).
    const liveByTicket = new Map<string, LiveQuote[]>()
    for (const q of view.quotes) {
      if (q.signed.quote.quoter !== view.me || q.status !== 'live') continue
      const list = liveByTicket.get(q.signed.quote.rfqId)
      if (list === undefined) liveByTicket.set(q.signed.quote.rfqId, [{ hash: q.hash, quote: q.signed.quote }])
      else list.push({ hash: q.hash, quote: q.signed.quote })
    }
    for (const t of view.rfqs) {
      // Each ticket may write (cancel, quote): none once stopped.
      if (this.stopped) return
      if (t.createdBy === view.me) continue
      const filling = this.filling.get(t.id)
      if (filling !== undefined) {
        const outcome = view.outcomes.find((o) => o.intent === filling.intent)
        if (outcome?.status === 'done') this.filled.set(t.id, true)
        const over = this.filled.has(t.id) || outcome?.status === 'refused' || outcome?.status === 'failed' || Date.now() - filling.at > 60_000
        if (!over) continue
        this.filling.delete(t.id)
      }
      const live = liveByTicket.get(t.id) ?? []
      const inactive = t.status === 'filled' || t.status === 'cancelled' || this.filled.has(t.id)
      if (inactive && live.length === 0) continue
      const decision = inactive
        ? ({ kind: 'skip', code: 'INVALID_TICKET', reason: `ticket ${t.status === 'cancelled' ? 'cancelled' : 'filled'}` } as const)
        : this.price({ ticket: t, spec, spot: this.d.market.spot(t.feed), now, myBalance: balanceOf(latest, view.me), rules: this.d.rules, me: view.me, latest })
      const seen = this.seen.get(t.id)
      const unchanged = seen !== undefined && sameAsk(seen.asked, decision)
      if (!unchanged) this.seen.set(t.id, { asked: decision, since: Date.now() })
      const action = ticketAction(decision, live, t, now, unchanged ? Date.now() - seen.since : 0, this.d.rules)
      for (const h of action.cancel) {
        try {
          await this.session.cancelQuote(h)
          this.log(`cancelled quote ${h.slice(0, 8)} on ticket ${t.id} (${decision.kind === 'skip' ? decision.reason : 'terms changed or quote expiring'})`)
        } catch (e) {
          this.log(`could not cancel quote ${h.slice(0, 8)}: ${reason(e)}`)
        }
      }
      if (decision.kind === 'skip') {
        // Logged once per reason code (amounts in the reason move with the spot).
        if (!inactive && this.skipNotes.get(t.id) !== decision.code) this.log(`no quote on ticket ${t.id}: ${decision.code}: ${decision.reason}`)
        this.skipNotes.set(t.id, decision.code)
        // A style's refusal is told to the trader once per reason code, as the ticket's decline (the app says it in words).
        if (decision.tell && !inactive && t.decline?.code !== decision.code) {
          try {
            this.session.editRfq(t.id, { field: 'decline', value: rfqDecline(decision.code, decision.reason) })
          } catch (e) {
            // A style's code or reason the ticket cannot carry: logged, and the other tickets are still answered.
            this.log(`could not tell ticket ${t.id} why: ${reason(e)}`)
          }
        }
        continue
      }
      this.skipNotes.delete(t.id)
      if (!action.quote) continue
      const wait = this.quoteBackoff.waitMs(Date.now())
      if (wait > 0) {
        if (!this.backoffLogged) this.log(`quoting backs off: ${this.quoteBackoff.count} quotes since the last co-signed state (next in ${Math.ceil(wait / 1000)} s, then longer, at most ${this.quoteBackoff.maxMs / 1000} s apart)`)
        this.backoffLogged = true
        continue
      }
      try {
        this.quoteBackoff.quoted(Date.now())
        const h = isUnwindTicket(t)
          // A close-out quote prices the unwind only: no trade can use it (marketMaker.ts signCloseOutQuote).
          ? await this.session.publishQuote(signCloseOutQuote({ params: this.d.entry.params, channelId: this.d.entry.channelId, me: view.me, decision, validForMs: this.d.rules.validForMs, rfqId: t.id, now: this.d.market.now(), nonce: randomNonce(), secretKey: this.d.keys.secretKey }))
          : await this.session.quote({ terms: decision.terms, side: decision.side, premium: decision.premium, validForMs: this.d.rules.validForMs, rfqId: t.id })
        this.log(`quote ${h.slice(0, 8)} on ticket ${t.id}: the desk ${decision.side}s ${t.feed} at ${this.money(decision.premium)} (mid ${this.money(BigInt(Math.round(decision.fairMinor)))}), valid ${this.d.rules.validForMs / 1000} s`)
      } catch (e) {
        this.log(`could not quote ticket ${t.id}: ${reason(e)}`)
      }
    }
  }

  // ---- expiry ----

  private async settleExpired(view: ChannelView): Promise<void> {
    // Nothing once the contract finalized or closed the channel: it settles the positions (endOnChain).
    const todo = positionsToSettle(view, this.d.market.now(), this.chain)
    if (todo.length === 0) return
    if (!this.due(`settle:${todo.map((p) => p.id).sort().join(',')}`, 10_000)) return
    const { settlements, missing } = await settlementsFor(todo, (feed, expiry) => this.d.settlement.attestation(feed, expiry))
    for (const m of missing) this.log(`no attestation yet for ${m.position.terms.feed} at ${new Date(m.position.terms.expiry).toISOString()}: ${reason(m.error)}`)
    if (settlements.length === 0 || ownSettleOpen(view, settlements)) return
    if (this.settleBackoff.waitMs(Date.now()) > 0) return
    try {
      this.settleBackoff.quoted(Date.now())
      const h = await this.session.proposeSettle(settlements)
      this.log(`proposed to settle ${countOf(settlements.length, 'expired position')} (${h.slice(0, 8)})`)
    } catch (e) {
      this.log(`could not propose the settle: ${reason(e)}`)
    }
  }
}
