// Quotes: a party's signed, expiring, single-use offer to trade a package at a premium.
import { digestMemo, type ByteWriter } from './encoding.ts'
import { signBytes, verifyBytes, type SecretKeyHex, type SignatureHex, type VerifyBytes } from './identity.ts'
import { encodePackage, samePackage, type OptionPackage } from './terms.ts'
import { partyKey, type ChannelParams, type Party } from './channel.ts'
import { formatUnits } from './amount.ts'
import type { Hex } from './bytes.ts'
import type { Position } from './state.ts'

/** `sell`: the quoter sells the package (the taker buys it and pays the premium). */
export type QuoteSide = 'sell' | 'buy'

export interface Quote {
  readonly contractId: Hex
  readonly channelId: Hex
  readonly quoter: Party
  readonly side: QuoteSide
  readonly terms: OptionPackage
  /** Paid by the package's buyer to its seller, asset minor units, >= 0. */
  readonly premium: bigint
  /** Last instant (ms UTC) at which a trade may use this quote. */
  readonly validUntil: number
  /** Single use: a channel state never contains two trades with the same (quoter, nonce). */
  readonly nonce: bigint
  /** The quote is valid only on top of a state with at least this version. */
  readonly baseVersion: number
  /** The RFQ ticket this answers ("" if unsolicited); not interpreted by the protocol. */
  readonly rfqId: string
}

export interface SignedQuote {
  readonly quote: Quote
  readonly signature: SignatureHex
}

export const MAX_RFQ_ID_LENGTH = 64

export function encodeQuote(w: ByteWriter, q: Quote): void {
  w.hex(q.contractId, 32)
  w.hex(q.channelId, 32)
  w.u8(q.quoter === 'A' ? 1 : 2)
  w.u8(q.side === 'sell' ? 1 : 2)
  encodePackage(w, q.terms)
  w.u128(q.premium)
  w.u64(q.validUntil)
  w.u64(q.nonce)
  w.u64(q.baseVersion)
  w.str(q.rfqId)
}

// Quotes are immutable values: the digest is remembered per object (a trade's check and the
// position id it opens hash the same quote).
const digestOf = digestMemo<Quote>('quote/v2', encodeQuote)

export function quoteDigest(q: Quote): Uint8Array {
  return digestOf(q).digest.slice()
}

/** The quote's id; a trade made from it opens a position with this id. */
export function quoteHash(q: Quote): Hex {
  return digestOf(q).hash
}

export function signQuote(q: Quote, secretKey: SecretKeyHex): SignedQuote {
  return { quote: q, signature: signBytes(quoteDigest(q), secretKey) }
}

/** Valid signature by the quoter named in the quote, for this channel. `verify`: a strict-equivalent check. */
export function verifyQuote(params: ChannelParams, channelId: Hex, s: SignedQuote, verify: VerifyBytes = verifyBytes): boolean {
  const q = s.quote
  if (q.contractId !== params.contractId || q.channelId !== channelId) return false
  return verify(s.signature, quoteDigest(q), partyKey(params, q.quoter))
}

// ---- Quotes that price a close-out (unwind) ----
// A quote on a close-out ticket (core/ticket.ts) is an ordinary signed quote of the position's
// package; accepting it unwinds the position at the quoted premium instead of trading it. The
// premium is paid by the unwind's buyer (the position's seller, who buys it back) to the position's
// buyer.

/**
 * The base version of a quote that prices a close-out only: no state reaches it, so the trade
 * transition refuses the quote (QUOTE_BASE_VERSION) while an unwind may still be agreed at its
 * premium. A dealer signs its close-out quotes so, and a client cannot turn one into a new trade
 * that would lock the dealer's collateral past its limits.
 */
export const CLOSE_OUT_BASE_VERSION = Number.MAX_SAFE_INTEGER

/** The package's buyer under quote `q` (the quoter when it bids, the taker when it offers). */
export function quoteBuyer(q: Pick<Quote, 'quoter' | 'side'>): Party {
  return q.side === 'buy' ? q.quoter : q.quoter === 'A' ? 'B' : 'A'
}

/**
 * What A pays B when `p` is unwound at `q`'s premium, or null with why `q` does not price that
 * unwind (other terms, or the quote would have the position's buyer buy it again).
 */
export function unwindPaymentAtoB(p: Position, q: Quote): { ok: true; paymentAtoB: bigint } | { ok: false; reason: string } {
  if (!samePackage(q.terms, p.terms)) {
    return { ok: false, reason: `the quote is for another package than position ${p.id.slice(0, 10)}…` }
  }
  if (quoteBuyer(q) === p.buyer) return { ok: false, reason: `the quote would have party ${p.buyer} buy position ${p.id.slice(0, 10)}… again, not give it back` }
  // The seller buys it back: A pays B when B is the position's buyer.
  return { ok: true, paymentAtoB: p.buyer === 'B' ? q.premium : -q.premium }
}

export type QuotedUnwind = { readonly ok: true; readonly paymentAtoB: bigint } | { readonly ok: false; readonly reason: string }

/**
 * The unwind of `positions` at the quotes `quotes[i]` (one distinct quote per position, all by one
 * quoter): the sum of their payments, or why they do not price it.
 */
export function quotedUnwind(positions: readonly Position[], quotes: readonly Quote[]): QuotedUnwind {
  if (positions.length === 0) return { ok: false, reason: 'no position to close out' }
  if (quotes.length !== positions.length) return { ok: false, reason: `${positions.length} positions need ${positions.length} quotes, got ${quotes.length}` }
  if (new Set(quotes).size !== quotes.length) return { ok: false, reason: 'one quote prices one position' }
  if (quotes.some((q) => q.quoter !== quotes[0]!.quoter)) return { ok: false, reason: 'the quotes are by different parties' }
  let total = 0n
  for (let i = 0; i < positions.length; i++) {
    const r = unwindPaymentAtoB(positions[i]!, quotes[i]!)
    if (!r.ok) return r
    total += r.paymentAtoB
  }
  return { ok: true, paymentAtoB: total }
}

/** What `party` receives from an unwind paying `paymentAtoB` (negative: it pays). */
export function unwindReceived(paymentAtoB: bigint, party: Party): bigint {
  return party === 'B' ? paymentAtoB : -paymentAtoB
}

/** One of a quoter's quotes on a close-out ticket, with the position that ticket names. */
export interface CloseOutQuote {
  readonly hash: Hex
  readonly quote: Quote
  readonly positionId: Hex
}

export type UnwindAtQuotes =
  | { readonly approve: true; readonly quoted: bigint; readonly quotes: readonly Hex[] }
  | { readonly approve: false; readonly code: 'NOT_QUOTED' | 'BELOW_QUOTE'; readonly reason: string }

/**
 * Whether party `me` signs an unwind of `positions` paying `paymentAtoB` on its own close-out
 * quotes: one quote per position (the longest-lived usable one), usable at the proposal's time `at`
 * (`quotes` holds only quotes not cancelled nor used; validUntil >= at), and a payment no worse for
 * `me` than their sum. NOT_QUOTED: they do not price this unwind (judge it otherwise).
 */
export function unwindAtQuotes(i: {
  readonly positions: readonly Position[]
  readonly paymentAtoB: bigint
  readonly me: Party
  readonly at: number
  readonly quotes: readonly CloseOutQuote[]
}): UnwindAtQuotes {
  const chosen: CloseOutQuote[] = []
  for (const p of i.positions) {
    const best = i.quotes
      .filter((q) => q.positionId === p.id && q.quote.quoter === i.me && q.quote.validUntil >= i.at && !chosen.includes(q) && unwindPaymentAtoB(p, q.quote).ok)
      .sort((a, b) => b.quote.validUntil - a.quote.validUntil)[0]
    if (!best) return { approve: false, code: 'NOT_QUOTED', reason: `no usable close-out quote of party ${i.me} for position ${p.id.slice(0, 10)}…` }
    chosen.push(best)
  }
  const q = quotedUnwind(i.positions, chosen.map((c) => c.quote))
  if (!q.ok) return { approve: false, code: 'NOT_QUOTED', reason: q.reason }
  const { asset, assetDecimals } = i.positions[0]!.terms
  const inWords = (v: bigint) => `${v < 0n ? 'pays' : 'receives'} ${formatUnits(v < 0n ? -v : v, assetDecimals)} ${asset}`
  const quotedToMe = unwindReceived(q.paymentAtoB, i.me)
  const proposedToMe = unwindReceived(i.paymentAtoB, i.me)
  if (proposedToMe < quotedToMe) {
    return { approve: false, code: 'BELOW_QUOTE', reason: `at its quotes party ${i.me} ${inWords(quotedToMe)}; in this close-out it ${inWords(proposedToMe)}` }
  }
  return { approve: true, quoted: q.paymentAtoB, quotes: chosen.map((c) => c.hash) }
}
