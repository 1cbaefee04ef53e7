// EVM authorisations in the channel's doc: the EIP-712 "OpenChannel"/"CloseChannel" signatures
// (core/evm-auth.ts) each party gives its counterparty so that either one can open the channel on
// chain with the co-signed opening state, or close it with the co-signed final state, in one
// transaction and without ed25519 on chain.
//
//   doc.getMap('auths')   (top level: not part of an epoch, never compacted; a few entries per channel)
//     `${kind}:${stateHash}:${party}:${tag}` → signature hex (130 chars: r ‖ s ‖ v)
//
// `tag` is the first 16 hex characters of sha256(signature): keys are content-addressed, so a peer
// that holds the room secret cannot overwrite a party's valid authorisation with a forged one; it
// can only add entries, which the reader checks (ecrecover must give the party's EVM address from
// the params) and ignores when they fail. An honest party deletes the invalid entries it finds when
// it writes its own, and writes its own again whenever it is missing (a deleted entry comes back).
// Nothing here is binding for the channel's states: an authorisation only spends the signer's gas
// budget on the contract's open/close, which itself checks everything again.
import * as Y from 'yjs'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes, type Hex } from '../bytes.ts'
import type { ChannelParams, Party } from '../channel.ts'
import { channelIdOf } from '../channel.ts'
import { authorizationDigest, recoverSigner, type AuthorizationHex, type AuthorizationKind } from '../evm-auth.ts'
import { SyncError } from './errors.ts'

export const AUTHS_MAP = 'auths'
/** Candidates checked per (kind, state, party) on a read: more than this is junk from the room. */
export const MAX_AUTH_CANDIDATES = 16

const KEY = /^(open|close):([0-9a-f]{64}):([AB]):([0-9a-f]{16})$/

function tagOf(sig: string): string {
  return bytesToHex(sha256(utf8ToBytes(sig))).slice(0, 16)
}

/** The digest `party` signs to authorise `kind` with the state `stateHash` of this channel. */
export function authorizationDigestFor(params: ChannelParams, kind: AuthorizationKind, stateHash: Hex): Hex {
  return authorizationDigest({ chainId: params.chainId, address: params.contract }, channelIdOf(params), stateHash, kind === 'close')
}

/** Whether `sig` is `party`'s authorisation of `kind` with `stateHash` in this channel. */
export function isValidAuthorization(params: ChannelParams, kind: AuthorizationKind, stateHash: Hex, party: Party, sig: unknown): sig is AuthorizationHex {
  if (typeof sig !== 'string' || sig.length !== 130) return false
  const expected = party === 'A' ? params.evmA : params.evmB
  return recoverSigner(authorizationDigestFor(params, kind, stateHash), sig) === expected
}

/** `party`'s valid authorisation of `kind` with `stateHash`, or null when the doc holds none. */
export function readAuthorization(doc: Y.Doc, params: ChannelParams, kind: AuthorizationKind, stateHash: Hex, party: Party): AuthorizationHex | null {
  const prefix = `${kind}:${stateHash}:${party}:`
  let tried = 0
  for (const [key, value] of doc.getMap<unknown>(AUTHS_MAP).entries()) {
    if (!key.startsWith(prefix)) continue
    if (++tried > MAX_AUTH_CANDIDATES) break
    if (typeof value === 'string' && key === `${prefix}${tagOf(value)}` && isValidAuthorization(params, kind, stateHash, party, value)) return value
  }
  return null
}

/**
 * Writes this party's authorisation (checked first: a wrong key or state is refused with
 * BAD_SIGNER, nothing written) and deletes the invalid entries for the same (kind, state, party).
 */
export function writeAuthorization(doc: Y.Doc, params: ChannelParams, kind: AuthorizationKind, stateHash: Hex, party: Party, sig: AuthorizationHex): void {
  if (!isValidAuthorization(params, kind, stateHash, party, sig)) {
    const expected = party === 'A' ? params.evmA : params.evmB
    throw new SyncError('BAD_SIGNER', `the ${kind} authorisation is not signed by party ${party}'s EVM account 0x${expected} for state ${stateHash.slice(0, 12)}…`, { kind, party })
  }
  const map = doc.getMap<unknown>(AUTHS_MAP)
  const prefix = `${kind}:${stateHash}:${party}:`
  doc.transact(() => {
    for (const [key, value] of [...map.entries()]) {
      if (!key.startsWith(prefix)) continue
      if (typeof value !== 'string' || key !== `${prefix}${tagOf(value)}` || !isValidAuthorization(params, kind, stateHash, party, value)) map.delete(key)
    }
    map.set(`${prefix}${tagOf(sig)}`, sig)
  })
}

/**
 * Makes sure the doc holds `me`'s authorisation: signs (through `sign`, which may ask a wallet)
 * only when none is there. Returns whether it signed.
 */
export async function ensureAuthorization(
  doc: Y.Doc,
  params: ChannelParams,
  me: Party,
  kind: AuthorizationKind,
  stateHash: Hex,
  sign: (channelId: Hex, stateHash: Hex, closing: boolean) => Promise<AuthorizationHex>,
): Promise<boolean> {
  if (readAuthorization(doc, params, kind, stateHash, me) !== null) return false
  const sig = await sign(channelIdOf(params), stateHash, kind === 'close')
  writeAuthorization(doc, params, kind, stateHash, me, sig)
  return true
}

/** Entries in the auths map whose key is not of the documented form (for diagnostics and tests). */
export function malformedAuthorizationKeys(doc: Y.Doc): string[] {
  return [...doc.getMap<unknown>(AUTHS_MAP).keys()].filter((k) => !KEY.test(k))
}
