// Demo desk styles: the same desk program with different settings, so one person sees several
// counterparties compete for one request (issue 16). A style sets the desk's vol and spread (its
// DeskRules), how long it waits before quoting (quietMs: the slow one), which instruments and sizes
// it quotes, a risk limit on its book across all its channels, and how often it declines.
//
// `styledQuote` is the desk's answer to a ticket under its style, a pure function (time, spot,
// balances and the desk's committed collateral are arguments). In order:
//   NOT_QUOTED  the feed or a leg kind is not one the style quotes;
//   SIZE_LIMIT  a leg is larger than the style's size limit;
//   DECLINED    the style declines this request (a fixed share of requests, chosen by a hash of
//               the desk's name and the ticket id: the same ticket always gets the same answer);
//   then core's rules (quoteForTicket: ticket, mark, price, collateral in this channel);
//   RISK_LIMIT  the collateral the desk would lock, added to what it has locked and offered in all
//               its channels, would exceed its limit.
// A close-out ticket (core/ticket.ts) skips the style's checks: the desk already holds the position,
// and unwinding it only returns collateral (it cannot breach the size or risk limit, and declining
// would leave the desk's own book stuck); core's close-out rules (marketMaker.ts unwindQuote) apply.
// A style refusal is told to the trader (`tell`): the desk sets the ticket's decline (core/sync
// schema.ts rfqDecline: its code and reason), which the app says in words.
import { CLOSE_OUT_BASE_VERSION, collateralFor, formatUnits, isUnwindTicket, quoteBuyer, type ChannelState, type OptionPackage, type Party, type Quote } from '../core/index.ts'
import { DemoError } from './errors.ts'
import { DEFAULT_RULES, quoteForTicket, type DeskRules, type QuoteDecision, type TicketInput } from './marketMaker.ts'

export type StyleName = 'steady' | 'tight' | 'slow' | 'picky'

export interface DeskStyle {
  readonly name: StyleName
  /** Default display name of a desk of this style (--name overrides it). */
  readonly displayName: string
  /** One line for --help and the start log. */
  readonly description: string
  readonly rules: DeskRules
  /** Feeds it quotes; null: every feed of the oracle. */
  readonly feeds: readonly string[] | null
  /** Leg kinds it quotes (a capped call is a call). */
  readonly kinds: readonly ('call' | 'put')[]
  /** Largest quantity of one leg, underlying units; null: no limit. */
  readonly maxLegQuantity: number | null
  /**
   * Most collateral (asset minor units) the desk locks over all its channels: open positions plus
   * its live quotes, plus the quote it is about to make. null: no limit.
   */
  readonly riskLimit: bigint | null
  /** Share of requests it declines, 0..1 (deterministic per ticket). */
  readonly declineRate: number
}

const USDC = 1_000_000n

/** The styles `--style` names. `steady` is the desk as it always was (no extra limits). */
export const STYLES: Readonly<Record<StyleName, DeskStyle>> = {
  steady: {
    name: 'steady',
    displayName: 'Demo Desk',
    description: 'the app\'s vols (BTC 55%, ETH 70%), 4 vol points wide, quotes everything, no limits beyond its channel balance',
    rules: DEFAULT_RULES,
    feeds: null,
    kinds: ['call', 'put'],
    maxLegQuantity: null,
    riskLimit: null,
    declineRate: 0,
  },
  tight: {
    name: 'tight',
    displayName: 'Tight Desk',
    description: 'low vol (BTC 52%, ETH 66%), 2 vol points wide, legs up to 2 units, 250,000 USDC of collateral over all its channels',
    rules: { ...DEFAULT_RULES, volByFeed: { 'BTC-USD': 0.52, 'ETH-USD': 0.66 }, defaultVol: 0.57, spreadVol: 0.02 },
    feeds: null,
    kinds: ['call', 'put'],
    maxLegQuantity: 2,
    riskLimit: 250_000n * USDC,
    declineRate: 0,
  },
  slow: {
    name: 'slow',
    displayName: 'Slow Desk',
    description: 'high vol (BTC 60%), 6 vol points wide, BTC only, waits 2.5 s before it quotes',
    rules: { ...DEFAULT_RULES, volByFeed: { 'BTC-USD': 0.6, 'ETH-USD': 0.75 }, defaultVol: 0.65, spreadVol: 0.06, quietMs: 2_500 },
    feeds: ['BTC-USD'],
    kinds: ['call', 'put'],
    maxLegQuantity: 10,
    riskLimit: 1_000_000n * USDC,
    declineRate: 0,
  },
  picky: {
    name: 'picky',
    displayName: 'Picky Desk',
    description: 'mid vol (BTC 56%), 3 vol points wide, puts only, declines one request in three (with its reason)',
    rules: { ...DEFAULT_RULES, volByFeed: { 'BTC-USD': 0.56, 'ETH-USD': 0.7 }, spreadVol: 0.03 },
    feeds: null,
    kinds: ['put'],
    maxLegQuantity: 5,
    riskLimit: 500_000n * USDC,
    declineRate: 1 / 3,
  },
}

export const STYLE_NAMES = Object.keys(STYLES) as StyleName[]

export function styleByName(name: string): DeskStyle {
  if (!Object.prototype.hasOwnProperty.call(STYLES, name)) {
    throw new DemoError('BAD_ARGUMENT', `--style: unknown style "${name}" (one of ${STYLE_NAMES.join(', ')})`, '--style')
  }
  return STYLES[name as StyleName]
}

/** The style with its decline rate replaced (--decline-rate). */
export function withDeclineRate(style: DeskStyle, rate: number): DeskStyle {
  if (!(rate >= 0 && rate <= 1)) throw new DemoError('BAD_ARGUMENT', `--decline-rate: expected a number from 0 to 1, got ${rate}`, '--decline-rate')
  return { ...style, declineRate: rate }
}

/** FNV-1a of a string, mixed, as a fraction in [0, 1): the same input always gives the same fraction. */
export function hashFraction(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  // murmur3's finaliser: FNV alone spreads ids that differ in their last character poorly.
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35) >>> 0
  h ^= h >>> 16
  return (h >>> 0) / 2 ** 32
}

/** Whether a desk named `deskName` declines ticket `ticketId` at `rate` (rate 0: never, 1: always). */
export function declines(rate: number, deskName: string, ticketId: string): boolean {
  if (rate <= 0) return false
  if (rate >= 1) return true
  return hashFraction(`${deskName}\u0000${ticketId}`) < rate
}

/** What one channel adds to the desk's committed collateral. */
export interface ChannelCommitment {
  readonly me: Party
  /** The channel's latest co-signed state (null before the opening). */
  readonly latest: ChannelState | null
  /** The desk's own live quotes in the channel (not counters). */
  readonly liveQuotes: readonly (Pick<Quote, 'side' | 'terms' | 'rfqId'> & Partial<Pick<Quote, 'baseVersion'>>)[]
}

/** The collateral the desk would lock if `terms` were traded on its quote of `side`. */
export function deskLock(me: Party, side: 'sell' | 'buy', terms: OptionPackage): bigint {
  const lock = collateralFor(terms, quoteBuyer({ quoter: me, side }))
  return me === 'A' ? lock.lockA : lock.lockB
}

/**
 * The desk's collateral committed over all its channels: locked in open positions plus what each
 * live quote would lock if filled. `except` leaves out the live quotes of one ticket (the one being
 * re-quoted: its old quote is replaced, not added).
 */
export function committedCollateral(channels: readonly ChannelCommitment[], except?: { readonly channel: number; readonly rfqId: string }): bigint {
  let total = 0n
  channels.forEach((c, i) => {
    for (const p of c.latest?.positions ?? []) total += c.me === 'A' ? p.lockA : p.lockB
    for (const q of c.liveQuotes) {
      if (except && except.channel === i && q.rfqId === except.rfqId) continue
      // A close-out quote can only unwind (no trade can use it): it locks nothing.
      if (q.baseVersion === CLOSE_OUT_BASE_VERSION) continue
      try {
        total += deskLock(c.me, q.side, q.terms)
      } catch {
        // A live quote always has bounded loss (the desk only signs those); nothing to add otherwise.
      }
    }
  })
  return total
}

export interface StyledInput extends TicketInput {
  readonly style: DeskStyle
  /** The desk's display name (part of the decline hash, so two picky desks decline different tickets). */
  readonly deskName: string
  /** The desk's party in this channel. */
  readonly me: Party
  /** Collateral committed in all its channels, without this ticket's own live quote. */
  readonly committed: bigint
}

function refuse(code: 'NOT_QUOTED' | 'SIZE_LIMIT' | 'DECLINED' | 'RISK_LIMIT', reason: string): QuoteDecision {
  return { kind: 'skip', code, reason, tell: true }
}

/** The desk's answer to a ticket under its style (see the header for the order of the checks). */
export function styledQuote(i: StyledInput): QuoteDecision {
  const { style, ticket } = i
  if (isUnwindTicket(ticket)) return quoteForTicket(i)
  if (style.feeds !== null && !style.feeds.includes(ticket.feed)) {
    return refuse('NOT_QUOTED', `${i.deskName} quotes ${style.feeds.join(', ')} only, not ${ticket.feed}`)
  }
  const kind = ticket.legs.find((l) => !style.kinds.includes(l.kind))?.kind
  if (kind !== undefined) return refuse('NOT_QUOTED', `${i.deskName} quotes ${style.kinds.join(' and ')}s only, not ${kind}s`)
  if (style.maxLegQuantity !== null) {
    const big = ticket.legs.find((l) => !(Number(l.quantity) <= style.maxLegQuantity!))
    if (big !== undefined && Number.isFinite(Number(big.quantity))) {
      return refuse('SIZE_LIMIT', `${i.deskName} quotes legs of up to ${style.maxLegQuantity} ${ticket.feed.split('-')[0]}; this request has a leg of ${big.quantity}`)
    }
  }
  if (declines(style.declineRate, i.deskName, ticket.id)) return refuse('DECLINED', `${i.deskName} passes on this request`)
  const d = quoteForTicket(i)
  if (d.kind !== 'quote' || style.riskLimit === null) return d
  const lock = deskLock(i.me, d.side, d.terms)
  if (i.committed + lock > style.riskLimit) {
    const money = (v: bigint) => `${formatUnits(v, d.terms.assetDecimals, { group: true })} ${d.terms.asset}`
    return refuse('RISK_LIMIT', `${i.deskName} is at its risk limit: it has ${money(i.committed)} committed over its channels, this trade would lock ${money(lock)} more, its limit is ${money(style.riskLimit)}`)
  }
  return d
}
