// The demo desk: its key, its EVM account, its channels (one ChannelBot each), its collateral on
// the contract, and the two things the HTTP API asks of it (info, accept an invite).
import { join } from 'node:path'
import { z } from 'zod'
import type { ChannelStatusOnChain } from '../channel-contract/client/chain.ts'
import type { ChainSettlement } from '../channel-contract/client/settlement.ts'
import { channelIdOf, countOf, fingerprint, formatUnits, otherParty, partyAddress, partyOf, type AddressHex, type Hex, type KeyPair, type PublicKeyHex } from '../core/index.ts'
import { channelRoomSecret, type ChannelView } from '../core/sync/index.ts'
import { FileJournal } from '../core/sync/node.ts'
import { ChannelBot, type ChannelBotDeps, type ChannelBotStatus } from './channelBot.ts'
import type { ChainMarket } from './chainMarket.ts'
import { ChannelList, type ChannelEntry } from './channels.ts'
import { DemoError, describeError } from './errors.ts'
import type { DeskFunds } from './funding.ts'
import { checkInvite, formatPeriod } from './inviteCheck.ts'
import type { DeskRules } from './marketMaker.ts'
import { committedCollateral, styledQuote, type ChannelCommitment, type DeskStyle } from './styles.ts'
import { quotaRefusal, unopenedExpired, type ActiveChannel, type DeskLimits } from './quotas.ts'
import { checkRelease } from './releaseCheck.ts'
import { pool } from './pool.ts'
import type { ConnectChannel } from './transport.ts'

export { describeError } from './errors.ts'

/** Largest deposit the desk puts into one channel, in whole tokens: 10,000,000. */
export const MAX_DEPOSIT_UNITS = 10_000_000n

/** How often the desk reads the contract's new events (a dispute wakes the channel's bot at once). */
const EVENT_POLL_MS = 1_000

/** How often the desk looks for channels never opened on the contract whose time is up (also at each invite). */
const FORGET_POLL_MS = 60_000
/**
 * How long a stop compacts channel stores (each as its bot closes, all at once). Compacting 100
 * channels took 1.3-1.5 s in the desk benchmark; main.ts exits after 5 s whatever is left and npm
 * start's runner kills after 10, so a desk of a thousand channels used to be cut mid-stop. Channels
 * not reached by then keep their records as they are (the next start derives their steps).
 */
export const STOP_COMPACT_MS = 2_000

/** A bot's statuses that mean the contract has the channel (opened, whatever came after). */
const ON_CHAIN: ReadonlySet<ChannelBotStatus> = new Set(['open', 'closing', 'disputed', 'finalized', 'closed'])

export interface DeskInfo {
  readonly publicKey: PublicKeyHex
  readonly fingerprint: string
  /** The desk's EVM account (0x + 40 hex): the trader names it as the desk's side of the channel (evmA/evmB). */
  readonly evmAddress: string
  /** Both, as a trader gives its contact to a counterparty: `<public key>@0x<EVM address>`. */
  readonly contact: string
  /** Where it settles: an invite must name this chain and contract (0x + 40 hex). */
  readonly chainId: number
  readonly contract: string
  /** The oracle key its channels must name (the oracle service's). */
  readonly oracle: PublicKeyHex
  readonly asset: { readonly symbol: string; readonly decimals: number }
  readonly name: string
  readonly channels: readonly { readonly channelId: Hex; readonly status: ChannelBotStatus; readonly latestVersion: number | null }[]
}

export interface DeskOptions {
  readonly dataDir: string
  readonly name: string
  readonly keys: KeyPair
  /** The contract, the oracle and the watchtower services, with the desk's EVM account as the wallet. */
  readonly settlement: ChainSettlement
  readonly market: ChainMarket
  readonly funds: DeskFunds
  /** Each channel's link to its trader (y-webrtc rooms in a child process: webrtcLinks.ts WebrtcHost). */
  readonly connect: ConnectChannel
  readonly rules: DeskRules
  /** The desk's style (styles.ts): which requests it quotes, its risk limit over all its channels. */
  readonly style?: DeskStyle
  readonly limits: DeskLimits
  readonly log: (line: string) => void
}

/** Who posted an invite (the API's view of the request). */
export interface InviteSource {
  readonly address: string | null
}

const inviteBodySchema = z.strictObject({
  sealed: z.string().min(1, 'paste the sealed invite').max(32_768, 'too long'),
  code: z.string().min(1, 'enter the invite code').max(64, 'too long'),
})

/** Channels a start loads at once. */
const START_CONCURRENCY = 8

export class Desk {
  private readonly bots = new Map<Hex, ChannelBot>()
  private readonly failed = new Map<Hex, string>()
  private accepting: Promise<unknown> = Promise.resolve()
  /** Remote address each channel's invite came from (this run only). */
  private readonly sources = new Map<Hex, string>()
  /** Last block whose events were read (null: not yet; then from the head at start). */
  private scanned: bigint | null = null
  private eventTimer: ReturnType<typeof setInterval> | null = null
  private forgetTimer: ReturnType<typeof setInterval> | null = null
  /** Channels the contract was seen to hold (a channel never leaves it once opened): never forgotten. */
  private readonly seenOnChain = new Set<Hex>()
  private following = false
  private eventFailures = 0
  /** Set when stop() begins: no channel starts from then on. */
  private stopping = false

  private constructor(
    private readonly o: DeskOptions,
    private readonly list: ChannelList,
    /** Every channel's store, in one pair of logs (group commit: one fsync per turn for all channels). */
    private readonly journal: FileJournal,
  ) {}

  static async start(o: DeskOptions): Promise<Desk> {
    const list = await ChannelList.load(o.dataDir, o.keys)
    for (const d of list.damaged) o.log(`channel list: an entry cannot be read (kept in the file as it was, not run): ${d}`)
    for (const n of list.notes) o.log(`channel list: ${n}`)
    // The journal logs itself what it cannot read: the lines it skipped and the bytes it set aside (journal/damaged.log).
    const journal = await FileJournal.open(join(o.dataDir, 'journal'), { log: (line) => o.log(`journal: ${line}`) })
    const desk = new Desk(o, list, journal)
    desk.scanned = o.market.headBlock >= 0n ? o.market.headBlock : null
    // A few channels at a time: one's contract read overlaps another's store load.
    await pool(list.all(), START_CONCURRENCY, (entry) => desk.startChannel(entry))
    desk.followEvents()
    desk.forgetTimer = setInterval(() => void desk.serially(() => desk.forgetUnopened()).catch(() => undefined), FORGET_POLL_MS)
    await desk.recoverLost().catch((e) => o.log(`cannot list the desk's channels on the contract: ${describeError(e)}`))
    return desk
  }

  get evmAddress(): AddressHex {
    return this.o.settlement.chain.account
  }

  private get maxDeposit(): bigint {
    return MAX_DEPOSIT_UNITS * 10n ** BigInt(this.o.market.asset.decimals)
  }

  /**
   * Channels the contract's events name with the desk's EVM account that its data directory lost:
   * rebuilt from the params in ChannelOpened (the room secret comes from both keys) and restored
   * from the watchtower's copy (ChannelBot.restoreFromWatchtower) and the peer's. Channels the contract has closed are left alone.
   */
  private async recoverLost(): Promise<void> {
    const me = this.evmAddress
    for (const params of await this.o.settlement.chain.channelsOf(me)) {
      const channelId = channelIdOf(params)
      if (this.list.get(channelId)) continue
      const party = partyOf(params, this.o.keys.publicKey)
      if (!party || partyAddress(params, party) !== me) {
        this.o.log(`[${channelId.slice(0, 8)}] the contract lists it for the desk's EVM account, but not with the desk's key on that side (not restored)`)
        continue
      }
      const onChain = await this.o.settlement.chain.channel(channelId)
      if (onChain.status === 'closed') continue
      const entry: ChannelEntry = { channelId, params, me: party, roomSecret: channelRoomSecret(this.o.keys.secretKey, params, party), deposits: { A: 0n, B: 0n }, acceptedAt: Date.now(), restoredAt: Date.now() }
      await this.list.add(entry)
      this.o.log(`[${channelId.slice(0, 8)}] on the contract (${onChain.status}) but not in the desk's data: restoring from ${this.o.settlement.watchtowerUrl !== null ? "the watchtower's copy and " : ''}the counterparty's copy`)
      await this.startChannel(entry)
    }
  }

  /**
   * The contract's events, read every second from the last block read: an event on one of the
   * desk's channels (a dispute above all) wakes its bot at once, which reads the channel and
   * refutes a stale dispute itself. The bots' slow poll stays the fallback.
   */
  private followEvents(): void {
    this.eventTimer = setInterval(() => void this.readEvents(), EVENT_POLL_MS)
  }

  private async readEvents(): Promise<void> {
    if (this.following) return
    this.following = true
    try {
      const head = (await this.o.settlement.chain.head()).block
      const from = this.scanned === null || head < this.scanned ? head : this.scanned + 1n // a chain reset: from its head
      if (from > head) return
      const events = await this.o.settlement.events(from, head)
      this.scanned = head
      this.eventFailures = 0
      for (const e of events) if (e.channelId) this.bots.get(e.channelId)?.poke()
      // A channel the desk forgot unopened can still be opened (both open authorisations may be in its
      // doc): the contract then holds the desk's deposit in it, so the desk takes it back at once.
      const me = this.evmAddress
      const ours = (v: unknown) => typeof v === 'string' && v.slice(2).toLowerCase() === me
      if (events.some((e) => e.type === 'ChannelOpened' && e.channelId && !this.list.get(e.channelId) && (ours(e.args.evmA) || ours(e.args.evmB)))) {
        void this.serially(() => this.recoverLost()).catch((e) => this.o.log(`cannot restore a channel opened on the contract: ${describeError(e)}`))
      }
    } catch (e) {
      if (this.eventFailures++ % 30 === 0) this.o.log(`cannot read the contract's events (${countOf(this.eventFailures, 'time')}): ${describeError(e)} (the channels still poll)`)
      return
    } finally {
      this.following = false
    }
  }

  /** Channels the desk still runs (not closed on the contract), for the quotas. */
  private active(): ActiveChannel[] {
    const out: ActiveChannel[] = []
    for (const e of this.list.all()) {
      const status = this.bots.get(e.channelId)?.summary().status
      if (status === 'closed') continue
      if ((status !== undefined && ON_CHAIN.has(status)) || e.restoredAt !== undefined) this.seenOnChain.add(e.channelId) // restored: found on the contract
      out.push({ channelId: e.channelId, counterparty: e.params[e.me === 'A' ? 'partyB' : 'partyA'], address: this.sources.get(e.channelId) ?? null, acceptedAt: e.acceptedAt, onChain: this.seenOnChain.has(e.channelId) })
    }
    return out
  }

  /** Runs `task` after the invites and sweeps before it: they all read and change the channel list. */
  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.accepting.catch(() => undefined).then(task)
    this.accepting = run
    return run
  }

  /**
   * Forgets the channels never opened on the contract whose time is up (limits.unopenedTtlMs after
   * the invite): they stop counting against the quotas (forget).
   */
  private async forgetUnopened(): Promise<void> {
    const ttl = this.o.limits.unopenedTtlMs
    for (const c of unopenedExpired(this.active(), Date.now(), ttl)) {
      const entry = this.list.get(c.channelId)
      if (entry) await this.forget(entry, `never opened on the contract ${formatPeriod(ttl)} after its invite`)
    }
  }

  /**
   * Drops `entry` if the contract never opened it, so it no longer counts against the quotas: read
   * on the contract, its bot stopped, read again (the bot may have sent the open meanwhile), then
   * removed from the channel list. The journal keeps the channel's store. Answers 'forgotten', or
   * why it is kept: the contract's status of it, or null when the contract could not be read.
   * The one way a channel leaves the list: after its forget period, or released by its trader.
   */
  private async forget(entry: ChannelEntry, why: string): Promise<'forgotten' | Exclude<ChannelStatusOnChain, 'none'> | null> {
    const { channelId } = entry
    const tag = `[${channelId.slice(0, 8)}]`
    const before = await this.statusOnChain(channelId)
    if (before !== 'none') return before
    const bot = this.bots.get(channelId)
    this.bots.delete(channelId)
    await bot?.stop().catch((e) => this.o.log(`${tag} stop: ${describeError(e)}`))
    const after = await this.statusOnChain(channelId)
    if (after !== 'none') {
      await this.startChannel(entry)
      return after
    }
    await this.list.remove(channelId)
    this.sources.delete(channelId)
    this.failed.delete(channelId)
    this.shareSum.changed.add(channelId)
    this.o.log(`${tag} forgotten: ${why} (no deposit was in it); it no longer counts against the quotas`)
    return 'forgotten'
  }

  /**
   * POST /release: the trader's signed release of a channel the contract never opened (core/release.ts,
   * checkRelease), so its slot under the quotas is free at once: forgotten exactly as after its
   * forget period. A channel the contract holds is never released.
   */
  releaseChannel(body: unknown): Promise<{ channelId: Hex; released: true }> {
    // Serially: the invites and the sweeps read and change the same list.
    return this.serially(async () => {
      const { entry, release } = checkRelease(body, (id) => this.list.get(id), Date.now())
      const id = entry.channelId.slice(0, 8)
      const kept = await this.forget(entry, `released by its trader (signed at ${new Date(release.at).toISOString()}), never opened on the contract`)
      if (kept === 'forgotten') return { channelId: entry.channelId, released: true as const }
      if (kept === null) {
        throw new DemoError('CHAIN_UNAVAILABLE', `cannot read channel ${id}… on the contract just now, so it is kept: try again (the desk forgets a channel never opened ${formatPeriod(this.o.limits.unopenedTtlMs)} after its invite)`)
      }
      this.o.log(`[${id}] release refused: ${kept} on the contract`)
      throw new DemoError('CHANNEL_ON_CHAIN', `channel ${id}… is ${kept} on the contract: a channel the contract opened is never released (its deposits come back by close or dispute)`, 'channelId')
    })
  }

  /** The channel's status on the contract; null when it cannot be read (then nothing is dropped). */
  private async statusOnChain(channelId: Hex): Promise<ChannelStatusOnChain | null> {
    try {
      const status = (await this.o.settlement.chain.channel(channelId)).status
      if (status !== 'none') this.seenOnChain.add(channelId)
      return status
    } catch (e) {
      this.o.log(`[${channelId.slice(0, 8)}] cannot read it on the contract, kept: ${describeError(e)}`)
      return null
    }
  }

  info(): DeskInfo {
    const channels = this.list.all().map((e) => this.bots.get(e.channelId)?.summary() ?? { channelId: e.channelId, status: 'failed' as const, latestVersion: null })
    const d = this.o.settlement.chain.deployment
    return {
      publicKey: this.o.keys.publicKey,
      fingerprint: fingerprint(this.o.keys.publicKey),
      evmAddress: `0x${this.evmAddress}`,
      contact: `${this.o.keys.publicKey}@0x${this.evmAddress}`,
      chainId: d.chainId,
      contract: `0x${d.address}`,
      oracle: this.o.market.oracleKey,
      asset: { symbol: this.o.market.asset.symbol, decimals: this.o.market.asset.decimals },
      name: this.o.name,
      channels,
    }
  }

  /**
   * The desk's collateral committed over all its channels (open positions and live quotes), without
   * the live quotes of ticket `rfqId` in channel `channelId` (being re-quoted). committedCollateral
   * adds up channel by channel, so each channel's share is worked out once per view of it.
   */
  committed(channelId: Hex, rfqId: string): bigint {
    const bot = this.bots.get(channelId)
    if (!bot) return this.allShares()
    const own = this.commitmentOf(bot.session.view)
    let without = own.without.get(rfqId)
    if (without === undefined) own.without.set(rfqId, (without = committedCollateral([own.channel], { channel: 0, rfqId })))
    return this.allShares() - own.total + without
  }

  /** Every channel's share added up, kept current by the channels whose view changed since the last call. */
  private allShares(): bigint {
    const sum = this.shareSum
    for (const id of sum.changed) {
      const view = this.bots.get(id)?.session.view
      const had = sum.views.get(id)
      if (view === had) continue
      sum.total += (view ? this.commitmentOf(view).total : 0n) - (had ? this.commitmentOf(had).total : 0n)
      if (view) sum.views.set(id, view)
      else sum.views.delete(id)
    }
    sum.changed.clear()
    return sum.total
  }

  /** The running sum, and the channels whose session published a view since it was last brought up to date. */
  private readonly shareSum = { views: new Map<Hex, ChannelView>(), total: 0n, changed: new Set<Hex>() }

  /** One channel's share of committed(), per view (a view is immutable; a new one replaces it). */
  private readonly commitments = new WeakMap<ChannelView, { readonly channel: ChannelCommitment; readonly total: bigint; readonly without: Map<string, bigint> }>()

  private commitmentOf(view: ChannelView): { readonly channel: ChannelCommitment; readonly total: bigint; readonly without: Map<string, bigint> } {
    let share = this.commitments.get(view)
    if (share === undefined) {
      const liveQuotes = view.quotes.filter((q) => q.status === 'live' && q.counterOf === null && q.signed.quote.quoter === view.me).map((q) => q.signed.quote)
      const channel: ChannelCommitment = { me: view.me, latest: view.latest?.state ?? null, liveQuotes }
      share = { channel, total: committedCollateral([channel]), without: new Map() }
      this.commitments.set(view, share)
    }
    return share
  }

  /** POST /invite: opens and checks the invite, funds the desk's side, stores and starts the channel. */
  acceptInvite(body: unknown, from: InviteSource = { address: null }): Promise<{ channelId: Hex }> {
    // One at a time: two posts of the same invite must not start two runtimes.
    return this.serially(() => this.accept(body, from))
  }

  private async accept(body: unknown, from: InviteSource): Promise<{ channelId: Hex }> {
    const parsed = inviteBodySchema.safeParse(body)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const field = issue.path.join('.')
      throw new DemoError('INVALID_FIELD', field ? `${field}: ${issue.message}` : `expected {sealed, code}: ${issue.message}`, field || undefined)
    }
    const d = this.o.settlement.chain.deployment
    const invite = checkInvite(parsed.data.sealed, parsed.data.code, {
      publicKey: this.o.keys.publicKey,
      secretKey: this.o.keys.secretKey,
      evmAddress: this.evmAddress,
      chainId: d.chainId,
      contract: d.address,
      oracle: this.o.market.oracleKey,
      asset: this.o.market.asset,
      maxDeposit: this.maxDeposit,
      minChallengePeriodMs: this.o.limits.minChallengePeriodMs,
    })
    if (this.list.get(invite.channelId)) return { channelId: invite.channelId } // a repeated post: same answer
    // Quotas before any effect (a deposit on chain, the store, the room), without the channels whose time is up.
    await this.forgetUnopened()
    const refusal = quotaRefusal(this.active(), { counterparty: invite.inviter, address: from.address }, this.o.limits, Date.now())
    if (refusal) {
      this.o.log(`invite refused: ${refusal.code}: ${refusal.message}`)
      throw refusal
    }
    const mine = invite.deposits[invite.me]
    try {
      await this.ensureFunds(mine)
    } catch (e) {
      if (e instanceof DemoError) throw e
      throw new DemoError('CHAIN_UNAVAILABLE', `cannot fund the desk's deposit of ${this.o.funds.money(mine)}: ${describeError(e)}`)
    }
    const entry: ChannelEntry = { channelId: invite.channelId, params: invite.params, me: invite.me, roomSecret: invite.roomSecret, deposits: invite.deposits, acceptedAt: Date.now() }
    await this.list.add(entry)
    if (from.address !== null) this.sources.set(invite.channelId, from.address)
    const { decimals, symbol } = this.o.market.asset
    this.o.log(`invite accepted: channel ${invite.channelId.slice(0, 8)} with ${invite.inviter.slice(0, 8)} (${fingerprint(invite.inviter)}, 0x${partyAddress(invite.params, otherParty(invite.me))}), deposits A ${formatUnits(invite.deposits.A, decimals)} / B ${formatUnits(invite.deposits.B, decimals)} ${symbol}, desk is party ${invite.me}`)
    await this.startChannel(entry)
    return { channelId: invite.channelId }
  }

  /** Makes sure the desk's free balance in the contract is at least `amount` (funding.ts; calls are serialised). */
  ensureFunds = (amount: bigint): Promise<void> => this.o.funds.ensure(amount)

  private async startChannel(entry: ChannelEntry): Promise<void> {
    // A channel accepted while the desk stops starts with the next run (the list holds it).
    if (this.stopping || this.bots.has(entry.channelId)) return
    try {
      // A data directory from before the journal: the channel's own store directory moves into it (renamed, never deleted).
      const legacy = join(this.o.dataDir, 'channels', entry.channelId)
      const moved = await this.journal.migrate(entry.channelId, legacy)
      if (moved !== 'none') this.o.log(`[${entry.channelId.slice(0, 8)}] store ${legacy} ${moved === 'migrated' ? 'moved into the journal' : 'already in the journal'}; the directory is kept as ${legacy}.migrated`)
      const bot = await ChannelBot.start({
        entry,
        keys: this.o.keys,
        settlement: this.o.settlement,
        market: this.o.market,
        connect: this.o.connect,
        store: this.journal.store(entry.channelId),
        name: this.o.name,
        rules: this.o.rules,
        ...(this.o.style ? { quoteTicket: this.styled(this.o.style, entry) } : {}),
        watchtower: this.o.settlement.watchtowerUrl !== null,
        log: this.o.log,
        spendFunds: (amount, tx) => this.o.funds.spend(amount, tx),
      })
      this.bots.set(entry.channelId, bot)
      this.shareSum.changed.add(entry.channelId)
      bot.session.subscribe(() => this.shareSum.changed.add(entry.channelId))
      this.failed.delete(entry.channelId)
    } catch (e) {
      this.failed.set(entry.channelId, describeError(e))
      this.o.log(`[${entry.channelId.slice(0, 8)}] cannot start the channel: ${describeError(e)}`)
    }
  }

  private styled(style: DeskStyle, entry: ChannelEntry): ChannelBotDeps['quoteTicket'] {
    // The committed collateral is read only by a style with a risk limit (it walks every channel's view).
    return (i) => styledQuote({ ...i, style, deskName: this.o.name, me: entry.me, committed: style.riskLimit === null ? 0n : this.committed(entry.channelId, i.ticket.id) })
  }

  /**
   * Stops every channel, then closes the journal: the bots' passes in flight end first (ChannelBot.stop),
   * and so do the serial tasks (an invite, a recovery) that may be starting one, so nothing writes
   * to the journal once it closes.
   */
  async stop(): Promise<void> {
    this.stopping = true
    if (this.eventTimer) clearInterval(this.eventTimer)
    if (this.forgetTimer) clearInterval(this.forgetTimer)
    await this.accepting.catch(() => undefined)
    const compactBy = Date.now() + STOP_COMPACT_MS
    const stores = await Promise.all([...this.bots.values()].map((b) => b.stop({ compactBy }).catch((e) => void this.o.log(`stop ${b.channelId.slice(0, 8)}: ${describeError(e)}`))))
    const late = stores.filter((s) => s === 'late').length
    if (this.bots.size > 0) this.o.log(`stopped ${countOf(this.bots.size, 'channel')}: ${countOf(stores.filter((s) => s === 'compacted').length, 'store')} compacted${late > 0 ? `, ${late} left as they were (past the ${STOP_COMPACT_MS / 1000} s for compacting: their next start derives their steps)` : ''}`)
    for (const id of this.bots.keys()) this.shareSum.changed.add(id)
    this.bots.clear()
    await this.journal.close().catch((e) => this.o.log(`journal: ${describeError(e)}`))
  }
}
