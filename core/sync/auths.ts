// EVM authorisations in the channel's doc: the EIP-712 "OpenChannel"/"CloseChannel" signatures
// (core/evm-auth.ts) each party gives its counterparty so that either one can open the channel on
// chain with the co-signed opening state, or close it with the co-signed final state, in one
// transaction and without ed25519 on chain.
//
//   doc.getMap('auths')   (top level: not part of an epoch, never compacted; a few entries per channel)
//     `${kind}:${stateHash}:${party}:${tag}` → AuthorizationHex (core/evm-auth.ts: r ‖ s ‖ v, 130
//                                             chars; an open one also its notAfter, 16 more)
//
// An open authorisation expires (evm-auth.ts): the party signs a new one while it runs the channel
// unopened (ensureAuthorization), and a reader takes the one that lasts longest.
//
// `tag` is the first 16 hex characters of sha256(value): keys are content-addressed, so a peer
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
import {
  OPEN_AUTHORIZATION_RENEW_MS,
  OPEN_AUTHORIZATION_TTL_MS,
  authorizationDigest,
  recoverAuthorization,
  unpackAuthorization,
  type AuthorizationHex,
  type AuthorizationKind,
  type AuthorizationTerms,
} from '../evm-auth.ts'
import { SyncError } from './errors.ts'
import { BoundedMemo } from './memo.ts'

export const AUTHS_MAP = 'auths'
/**
 * Signatures recovered per read (ecrecover, about a millisecond each): entries of the right form
 * whose answer is not remembered yet, newest first. Answers are remembered (AUTH_CHECKS), so a
 * flood of well-formed junk is worked through a batch per read and never checked twice.
 */
export const MAX_AUTH_CANDIDATES = 16
/** Remembered answers of authorizationTerms, by channel, kind, state, party and value. */
const AUTH_CHECKS = 4096
const checked = new BoundedMemo<string, AuthorizationTerms | null>(AUTH_CHECKS)
/** The authorisation this process last wrote, by channel, kind, state and party: written again, unsigned, when a room peer deletes it. */
const written = new BoundedMemo<string, AuthorizationHex>(AUTH_CHECKS)

const KEY = /^(open|close):([0-9a-f]{64}):([AB]):([0-9a-f]{16})$/

function tagOf(sig: string): string {
  return bytesToHex(sha256(utf8ToBytes(sig))).slice(0, 16)
}

/** The digest `party` signs to authorise `terms` with the state `stateHash` of this channel. */
export function authorizationDigestFor(params: ChannelParams, stateHash: Hex, terms: AuthorizationTerms): Hex {
  return authorizationDigest({ chainId: params.chainId, address: params.contract }, channelIdOf(params), stateHash, terms)
}

/**
 * What `value` authorises when it is `party`'s authorisation of `kind` with `stateHash` in this
 * channel (an open one whatever its `notAfter`); null when it is not.
 */
export function authorizationTerms(params: ChannelParams, kind: AuthorizationKind, stateHash: Hex, party: Party, value: unknown): AuthorizationTerms | null {
  const got = recoverAuthorization({ chainId: params.chainId, address: params.contract }, channelIdOf(params), stateHash, kind, value)
  return got !== null && got.signer === (party === 'A' ? params.evmA : params.evmB) ? got.terms : null
}

/** The last chain time an authorisation with `terms` is good for (a close's never ends). */
function lastsUntil(terms: AuthorizationTerms): number {
  return terms.kind === 'open' ? terms.notAfter : Number.POSITIVE_INFINITY
}

/**
 * `party`'s valid authorisation of `kind` with `stateHash` that the contract still takes at chain
 * time `atMs` (of several open ones, the one that lasts longest), or null when the doc holds none.
 *
 * A room peer can add any entry. Those whose key is not their value's tag, or whose value is not of
 * the form, cost nothing and are skipped; of the rest, at most MAX_AUTH_CANDIDATES signatures not
 * checked before are recovered per read, the newest entries first (a party's newest authorisation
 * is its last write: junk set again under old keys keeps their old place), and every answer is
 * remembered. So junk can delay a read by a batch, never hide a valid authorisation for good.
 */
export function readAuthorization(doc: Y.Doc, params: ChannelParams, kind: AuthorizationKind, stateHash: Hex, party: Party, atMs: number): AuthorizationHex | null {
  const prefix = `${kind}:${stateHash}:${party}:`
  const channel = channelIdOf(params)
  let recovered = 0
  let best: { value: AuthorizationHex; until: number } | null = null
  for (const [key, value] of [...doc.getMap<unknown>(AUTHS_MAP).entries()].reverse()) {
    if (!key.startsWith(prefix) || typeof value !== 'string' || !unpackAuthorization(kind, value) || key !== `${prefix}${tagOf(value)}`) continue
    const memoKey = `${channel}:${prefix}${value}`
    let terms = checked.get(memoKey)
    if (terms === undefined) {
      if (recovered++ >= MAX_AUTH_CANDIDATES) continue
      terms = authorizationTerms(params, kind, stateHash, party, value)
      checked.set(memoKey, terms)
    }
    if (terms && lastsUntil(terms) >= atMs && (!best || lastsUntil(terms) > best.until)) best = { value, until: lastsUntil(terms) }
  }
  return best?.value ?? null
}

/**
 * Writes this party's authorisation (checked first: a wrong key, state or form is refused with
 * BAD_SIGNER, nothing written) and deletes, for the same (kind, state, party), the invalid entries
 * and the open authorisations this one outlasts.
 */
export function writeAuthorization(doc: Y.Doc, params: ChannelParams, kind: AuthorizationKind, stateHash: Hex, party: Party, value: AuthorizationHex): void {
  const terms = authorizationTerms(params, kind, stateHash, party, value)
  if (!terms) {
    const expected = party === 'A' ? params.evmA : params.evmB
    throw new SyncError('BAD_SIGNER', `the ${kind} authorisation is not signed by party ${party}'s EVM account 0x${expected} for state ${stateHash.slice(0, 12)}…`, { kind, party })
  }
  const map = doc.getMap<unknown>(AUTHS_MAP)
  const prefix = `${kind}:${stateHash}:${party}:`
  doc.transact(() => {
    for (const [key, old] of [...map.entries()]) {
      if (!key.startsWith(prefix)) continue
      const oldTerms = typeof old === 'string' && key === `${prefix}${tagOf(old)}` ? authorizationTerms(params, kind, stateHash, party, old) : null
      if (!oldTerms || lastsUntil(oldTerms) < lastsUntil(terms)) map.delete(key)
    }
    map.set(`${prefix}${tagOf(value)}`, value)
  })
  written.set(`${channelIdOf(params)}:${prefix}`, value)
}

/**
 * Makes sure the doc holds `me`'s authorisation: signs (through `sign`, which may ask a wallet)
 * only when none is there, or, for an open, when the newest expires within
 * OPEN_AUTHORIZATION_RENEW_MS of chain time `nowMs` (it is then signed for
 * OPEN_AUTHORIZATION_TTL_MS from `nowMs`). One this process wrote that a room peer deleted is
 * written again without signing (a wallet is not asked again for it). Returns whether it signed.
 */
export async function ensureAuthorization(
  doc: Y.Doc,
  params: ChannelParams,
  me: Party,
  kind: AuthorizationKind,
  stateHash: Hex,
  sign: (channelId: Hex, stateHash: Hex, terms: AuthorizationTerms) => Promise<AuthorizationHex>,
  nowMs: number,
): Promise<boolean> {
  const renewAt = kind === 'open' ? nowMs + OPEN_AUTHORIZATION_RENEW_MS : nowMs
  if (readAuthorization(doc, params, kind, stateHash, me, renewAt) !== null) return false
  const mine = written.get(`${channelIdOf(params)}:${kind}:${stateHash}:${me}:`)
  const still = mine === undefined ? null : authorizationTerms(params, kind, stateHash, me, mine)
  if (mine !== undefined && still !== null && lastsUntil(still) >= renewAt) {
    writeAuthorization(doc, params, kind, stateHash, me, mine)
    return false
  }
  const terms: AuthorizationTerms = kind === 'open' ? { kind, notAfter: nowMs + OPEN_AUTHORIZATION_TTL_MS } : { kind }
  const value = await sign(channelIdOf(params), stateHash, terms)
  writeAuthorization(doc, params, kind, stateHash, me, value)
  return true
}

/** Entries in the auths map whose key is not of the documented form (for diagnostics and tests). */
export function malformedAuthorizationKeys(doc: Y.Doc): string[] {
  return [...doc.getMap<unknown>(AUTHS_MAP).keys()].filter((k) => !KEY.test(k))
}
