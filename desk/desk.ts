// The demo desk: its key, its channels (one ChannelBot each), its settlement account, and the two
// things the HTTP API asks of it (info, accept an invite).
import { join } from 'node:path'
import { z } from 'zod'
import type { SettlementClient, Subscription } from '../channel-contract/index.ts'
import { channelIdOf, fingerprint, formatUnits, isProtocolError, partyOf, type Hex, type KeyPair, type PublicKeyHex } from '../core/index.ts'
import { channelRoomSecret } from '../core/sync/index.ts'
import { ChannelBot, type ChannelBotDeps, type ChannelBotStatus } from './channelBot.ts'
import { ChannelList, type ChannelEntry } from './channels.ts'
import { DemoError } from './errors.ts'
import { checkInvite } from './inviteCheck.ts'
import type { DeskRules } from './marketMaker.ts'
import { committedCollateral, styledQuote, type ChannelCommitment, type DeskStyle } from './styles.ts'
import { quotaRefusal, type ActiveChannel, type DeskLimits } from './quotas.ts'
import { ASSET, type NodeMarket } from './nodeMarket.ts'
import type { ConnectChannel } from './transport.ts'

/** The desk keeps at least this much in its settlement account (dev faucet tops it up): 1,000,000 USDC. */
export const FUND_FLOOR = 1_000_000n * 10n ** BigInt(ASSET.decimals)
/** Largest deposit the desk puts into one channel: 10,000,000 USDC. */
export const MAX_DEPOSIT = 10_000_000n * 10n ** BigInt(ASSET.decimals)

export interface DeskInfo {
  readonly publicKey: PublicKeyHex
  readonly fingerprint: string
  readonly name: string
  readonly channels: readonly { readonly channelId: Hex; readonly status: ChannelBotStatus; readonly latestVersion: number | null }[]
}

export interface DeskOptions {
  readonly dataDir: string
  readonly name: string
  readonly keys: KeyPair
  readonly client: SettlementClient
  readonly market: NodeMarket
  /** Each channel's link to its trader (`webrtcLinks` in the desk's process). */
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

export class Desk {
  private readonly bots = new Map<Hex, ChannelBot>()
  private readonly failed = new Map<Hex, string>()
  private funding: Promise<unknown> = Promise.resolve()
  private accepting: Promise<unknown> = Promise.resolve()
  /** Remote address each channel's invite came from (this run only). */
  private readonly sources = new Map<Hex, string>()
  private events: Subscription | null = null

  private constructor(
    private readonly o: DeskOptions,
    private readonly list: ChannelList,
  ) {}

  static async start(o: DeskOptions): Promise<Desk> {
    const list = await ChannelList.load(o.dataDir)
    for (const d of list.damaged) o.log(`channel list: skipped a damaged entry: ${d}`)
    const desk = new Desk(o, list)
    await desk.ensureFunds(FUND_FLOOR).catch((e) => o.log(`cannot fund the desk's account: ${describeError(e)}`))
    for (const entry of list.all()) await desk.startChannel(entry)
    desk.followDisputes()
    await desk.recoverLost().catch((e) => o.log(`cannot list the desk's channels on the node: ${describeError(e)}`))
    return desk
  }

  /**
   * Channels the settlement node holds for the desk's key that its data directory lost: rebuilt from
   * the on-chain params (the room secret comes from both keys) and restored from the peer's copy.
   */
  private async recoverLost(): Promise<void> {
    for (const c of await this.o.client.channelsOf(this.o.keys.publicKey)) {
      if (c.status === 'closed' || this.list.get(c.channelId)) continue
      const me = partyOf(c.params, this.o.keys.publicKey)
      if (!me || channelIdOf(c.params) !== c.channelId) {
        this.o.log(`[${c.channelId.slice(0, 8)}] the node lists it for the desk's key, but its params do not match (not restored)`)
        continue
      }
      const entry: ChannelEntry = { channelId: c.channelId, params: c.params, me, roomSecret: channelRoomSecret(this.o.keys.secretKey, c.params, me), deposits: { A: 0n, B: 0n }, acceptedAt: Date.now(), restoredAt: Date.now() }
      await this.list.add(entry)
      this.o.log(`[${c.channelId.slice(0, 8)}] on the node but not in the desk's data: restoring from the counterparty's copy`)
      await this.startChannel(entry)
    }
  }

  /**
   * The node's events, pushed: a dispute on one of the desk's channels wakes its bot at once (it
   * refutes a stale one itself); the bots' 2 s poll stays the fallback when the push is down.
   */
  private followDisputes(): void {
    try {
      this.events = this.o.client.subscribe(
        (events) => {
          for (const { event } of events) {
            if (event.type === 'DisputeStarted' || event.type === 'DisputeRefuted') this.bots.get(event.channelId)?.poke()
          }
        },
        { since: this.o.market.info.lastEventSeq, onError: (e) => this.o.log(`node event stream: ${describeError(e)} (the channels still poll every 2 s)`) },
      )
    } catch (e) {
      this.o.log(`no push from the node: ${describeError(e)} (the channels poll every 2 s)`)
    }
  }

  /** Channels the desk still runs (not closed on the contract), for the quotas. */
  private active(): ActiveChannel[] {
    return this.list
      .all()
      .filter((e) => this.bots.get(e.channelId)?.summary().status !== 'closed')
      .map((e) => ({ channelId: e.channelId, counterparty: e.params[e.me === 'A' ? 'partyB' : 'partyA'], address: this.sources.get(e.channelId) ?? null }))
  }

  info(): DeskInfo {
    const channels = this.list.all().map((e) => this.bots.get(e.channelId)?.summary() ?? { channelId: e.channelId, status: 'failed' as const, latestVersion: null })
    return { publicKey: this.o.keys.publicKey, fingerprint: fingerprint(this.o.keys.publicKey), name: this.o.name, channels }
  }

  /**
   * The desk's collateral committed over all its channels (open positions and live quotes), without
   * the live quotes of ticket `rfqId` in channel `channelId` (being re-quoted).
   */
  committed(channelId: Hex, rfqId: string): bigint {
    const channels: ChannelCommitment[] = []
    let at = -1
    for (const [id, bot] of this.bots) {
      if (id === channelId) at = channels.length
      const view = bot.session.view
      const liveQuotes = view.quotes.filter((q) => q.status === 'live' && q.counterOf === null && q.signed.quote.quoter === view.me).map((q) => q.signed.quote)
      channels.push({ me: view.me, latest: view.latest?.state ?? null, liveQuotes })
    }
    return committedCollateral(channels, at >= 0 ? { channel: at, rfqId } : undefined)
  }

  /** POST /invite: opens and checks the invite, funds the desk's side, stores and starts the channel. */
  acceptInvite(body: unknown, from: InviteSource = { address: null }): Promise<{ channelId: Hex }> {
    // One at a time: two posts of the same invite must not start two runtimes.
    const run = this.accepting.catch(() => undefined).then(() => this.accept(body, from))
    this.accepting = run
    return run
  }

  private async accept(body: unknown, from: InviteSource): Promise<{ channelId: Hex }> {
    const parsed = inviteBodySchema.safeParse(body)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const field = issue.path.join('.')
      throw new DemoError('INVALID_FIELD', field ? `${field}: ${issue.message}` : `expected {sealed, code}: ${issue.message}`, field || undefined)
    }
    const info = this.o.market.info
    if (!info.oracle) throw new DemoError('NODE_UNAVAILABLE', 'the settlement node has no oracle: the desk cannot price or settle')
    const invite = checkInvite(parsed.data.sealed, parsed.data.code, { publicKey: this.o.keys.publicKey, secretKey: this.o.keys.secretKey, contractId: info.contractId, oracle: info.oracle.publicKey, asset: ASSET, maxDeposit: MAX_DEPOSIT, minChallengePeriodMs: this.o.limits.minChallengePeriodMs })
    if (this.list.get(invite.channelId)) return { channelId: invite.channelId } // a repeated post: same answer
    // Quotas before any effect (the faucet top-up, the store, the room).
    const refusal = quotaRefusal(this.active(), { counterparty: invite.inviter, address: from.address }, this.o.limits)
    if (refusal) {
      this.o.log(`invite refused: ${refusal.code}: ${refusal.message}`)
      throw refusal
    }
    const mine = invite.deposits[invite.me]
    try {
      await this.ensureFunds(mine)
    } catch (e) {
      throw new DemoError('NODE_UNAVAILABLE', `cannot fund the desk's deposit of ${formatUnits(mine, ASSET.decimals)} ${ASSET.symbol}: ${describeError(e)}`)
    }
    const entry: ChannelEntry = { channelId: invite.channelId, params: invite.params, me: invite.me, roomSecret: invite.roomSecret, deposits: invite.deposits, acceptedAt: Date.now() }
    await this.list.add(entry)
    if (from.address !== null) this.sources.set(invite.channelId, from.address)
    this.o.log(`invite accepted: channel ${invite.channelId.slice(0, 8)} with ${invite.inviter.slice(0, 8)} (${fingerprint(invite.inviter)}), deposits A ${formatUnits(invite.deposits.A, ASSET.decimals)} / B ${formatUnits(invite.deposits.B, ASSET.decimals)} ${ASSET.symbol}, desk is party ${invite.me}`)
    await this.startChannel(entry)
    return { channelId: invite.channelId }
  }

  /** Makes sure the desk's settlement account holds at least `amount` (dev faucet; calls are serialised). */
  ensureFunds = (amount: bigint): Promise<void> => {
    const run = this.funding.catch(() => undefined).then(async () => {
      const { balance } = await this.o.client.account(this.o.keys.publicKey)
      if (balance >= amount) return // tops up to max(amount, FUND_FLOOR)
      const target = amount > FUND_FLOOR ? amount : FUND_FLOOR
      const credit = target - balance
      await this.o.client.faucet(this.o.keys.publicKey, credit)
      this.o.log(`faucet: credited ${formatUnits(credit, ASSET.decimals, { group: true })} ${ASSET.symbol} to the desk's account`)
    })
    this.funding = run
    return run
  }

  private async startChannel(entry: ChannelEntry): Promise<void> {
    if (this.bots.has(entry.channelId)) return
    try {
      const bot = await ChannelBot.start({
        entry,
        keys: this.o.keys,
        client: this.o.client,
        market: this.o.market,
        connect: this.o.connect,
        storeDir: join(this.o.dataDir, 'channels', entry.channelId),
        name: this.o.name,
        rules: this.o.rules,
        ...(this.o.style ? { quoteTicket: this.styled(this.o.style, entry) } : {}),
        watchtower: this.o.market.info.watchtower !== null,
        log: this.o.log,
        ensureFunds: this.ensureFunds,
      })
      this.bots.set(entry.channelId, bot)
      this.failed.delete(entry.channelId)
    } catch (e) {
      this.failed.set(entry.channelId, describeError(e))
      this.o.log(`[${entry.channelId.slice(0, 8)}] cannot start the channel: ${describeError(e)}`)
    }
  }

  private styled(style: DeskStyle, entry: ChannelEntry): ChannelBotDeps['quoteTicket'] {
    return (i) => styledQuote({ ...i, style, deskName: this.o.name, me: entry.me, committed: this.committed(entry.channelId, i.ticket.id) })
  }

  async stop(): Promise<void> {
    this.events?.close()
    await Promise.all([...this.bots.values()].map((b) => b.stop().catch((e) => this.o.log(`stop ${b.channelId.slice(0, 8)}: ${describeError(e)}`))))
    this.bots.clear()
  }
}

export function describeError(e: unknown): string {
  if (isProtocolError(e)) return `${e.code}: ${e.message}`
  return e instanceof Error ? e.message : String(e)
}
