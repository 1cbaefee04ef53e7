// Quotes: a party's signed, expiring, single-use offer to trade a package at a premium.
import { digestMemo, type ByteWriter } from './encoding.ts'
import { signBytes, verifyBytes, type SecretKeyHex, type SignatureHex, type VerifyBytes } from './identity.ts'
import { encodePackage, type OptionPackage } from './terms.ts'
import { partyKey, type ChannelParams, type Party } from './channel.ts'
import type { Hex } from './bytes.ts'

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
