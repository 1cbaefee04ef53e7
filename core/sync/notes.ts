// Signed notes: a party's refusal (why it will not sign a proposal or take a quote) and a quoter's
// cancel of its quote. Both used to be plain JSON that anybody in the room could write in a party's
// name (a forged cancel made the quoter refuse trades on its own live quote; a forged refusal made a
// proposer give up its trade). Now each carries the party's ed25519 signature over a digest that
// names what it is about, so the reader keeps only the notes a party really made.
import { hashEncoded, type DomainTag } from '../encoding.ts'
import { verifyBytes, type VerifyBytes } from '../identity.ts'
import { partyKey, type ChannelParams, type Party } from '../channel.ts'
import type { Hex } from '../bytes.ts'

// Not in core's DomainTag list (core/encoding.ts is not core/sync's to edit): the same H(tag, bytes)
// construction with tags no other message uses.
const REFUSAL_TAG: DomainTag = 'refusal/v2'
const CANCEL_TAG: DomainTag = 'cancel/v2'

/**
 * What a refusal signs: the state or quote hash it answers (each binds its channel), the refusing
 * party, and its code and message.
 */
export function refusalDigest(hash: Hex, party: Party, code: string, message: string): Uint8Array {
  return hashEncoded(REFUSAL_TAG, (w) => w.hex(hash, 32).str(party).str(code).str(message))
}

/** What a cancel signs: the quote's hash (it binds the channel) and the cancelling party. */
export function cancelDigest(quoteHash: Hex, party: Party): Uint8Array {
  return hashEncoded(CANCEL_TAG, (w) => w.hex(quoteHash, 32).str(party))
}

export function isValidRefusal(params: ChannelParams, r: { hash: Hex; party: Party; code: string; message: string; sig: string }, verify: VerifyBytes = verifyBytes): boolean {
  return verify(r.sig, refusalDigest(r.hash, r.party, r.code, r.message), partyKey(params, r.party))
}

export function isValidCancel(params: ChannelParams, c: { quoteHash: Hex; by: Party; sig: string }, verify: VerifyBytes = verifyBytes): boolean {
  return verify(c.sig, cancelDigest(c.quoteHash, c.by), partyKey(params, c.by))
}
