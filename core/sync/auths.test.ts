import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '../bytes.ts'
import { channelIdOf, type ChannelParams } from '../channel.ts'
import { OPEN_AUTHORIZATION_RENEW_MS, OPEN_AUTHORIZATION_TTL_MS, authorizationDigest, packAuthorization, signDigest, type AuthorizationKind, type AuthorizationTerms } from '../evm-auth.ts'
import { evmKeyOf } from '../evm-key.ts'
import { stateHash } from '../state.ts'
import { testChannel } from '../testkit.ts'
import { AUTHS_MAP, authorizationDigestFor, ensureAuthorization, readAuthorization, writeAuthorization } from './auths.ts'

const ch = testChannel({ label: 'auths' })
const evmA = evmKeyOf(ch.a.secretKey)
const evmB = evmKeyOf(ch.b.secretKey)
const params: ChannelParams = { ...ch.params, evmA: evmA.address, evmB: evmB.address }
const h = stateHash(ch.genesis)
/** Chain time of these tests; open authorisations signed here are good until NOT_AFTER. */
const NOW = 1_800_000_000_000
const NOT_AFTER = NOW + OPEN_AUTHORIZATION_TTL_MS
const termsOf = (kind: AuthorizationKind, notAfter = NOT_AFTER): AuthorizationTerms => (kind === 'open' ? { kind, notAfter } : { kind })
const signWith = (privateKey: string, kind: AuthorizationKind, notAfter = NOT_AFTER) => packAuthorization(signDigest(privateKey, authorizationDigestFor(params, h, termsOf(kind, notAfter))), termsOf(kind, notAfter))
const signA = (kind: AuthorizationKind, notAfter?: number) => signWith(evmA.privateKey, kind, notAfter)
const signB = (kind: AuthorizationKind, notAfter?: number) => signWith(evmB.privateKey, kind, notAfter)

function linked(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc()
  const b = new Y.Doc()
  a.on('update', (u: Uint8Array) => Y.applyUpdate(b, u))
  b.on('update', (u: Uint8Array) => Y.applyUpdate(a, u))
  return [a, b]
}

describe('EVM authorisations in the doc', () => {
  it('the digest is the contract\'s (chain, deployment, channel, state, open or close)', () => {
    expect(authorizationDigestFor(params, h, termsOf('open'))).toBe(authorizationDigest({ chainId: params.chainId, address: params.contract }, channelIdOf(params), h, termsOf('open')))
    expect(authorizationDigestFor(params, h, termsOf('close'))).not.toBe(authorizationDigestFor(params, h, termsOf('open')))
  })

  it('each party writes its own; the other reads it after sync; open and close are separate', () => {
    const [da, db] = linked()
    writeAuthorization(da, params, 'open', h, 'A', signA('open'))
    expect(readAuthorization(db, params, 'open', h, 'A', NOW)).toBe(signA('open'))
    expect(readAuthorization(db, params, 'open', h, 'B', NOW)).toBeNull()
    expect(readAuthorization(db, params, 'close', h, 'A', NOW)).toBeNull()
    writeAuthorization(db, params, 'open', h, 'B', signB('open'))
    expect(readAuthorization(da, params, 'open', h, 'B', NOW)).toBe(signB('open'))
  })

  it('refuses to write a signature by the wrong key or for another state, and writes nothing', () => {
    const d = new Y.Doc()
    expect(() => writeAuthorization(d, params, 'open', h, 'B', signA('open'))).toThrow(/party B's EVM account/)
    expect(() => writeAuthorization(d, params, 'close', h, 'A', signA('open'))).toThrow(/close authorisation/)
    expect(d.getMap(AUTHS_MAP).size).toBe(0)
  })

  it('a room peer cannot displace a valid authorisation: forged and junk entries are ignored, then pruned', () => {
    const [da, db] = linked()
    writeAuthorization(da, params, 'open', h, 'A', signA('open'))
    const map = db.getMap<unknown>(AUTHS_MAP)
    const validKey = [...map.keys()][0]!
    // The attacker overwrites the valid key, then adds junk under A's prefix.
    map.set(validKey, signB('open'))
    map.set(`open:${h}:A:0000000000000000`, 'zz')
    map.set(`open:${h}:A:1111111111111111`, 42)
    expect(readAuthorization(da, params, 'open', h, 'A', NOW)).toBeNull()
    // A notices its authorisation is missing and writes it again: the junk goes, the valid one is back.
    writeAuthorization(da, params, 'open', h, 'A', signA('open'))
    expect(readAuthorization(db, params, 'open', h, 'A', NOW)).toBe(signA('open'))
    expect([...map.keys()].filter((k) => k.startsWith(`open:${h}:A:`))).toHaveLength(1)
  })

  it('a junk flood cannot hide a valid authorisation: junk set again under old keys, and well-formed junk newer than it', () => {
    const [da, db] = linked()
    const tag = (v: string) => bytesToHex(sha256(utf8ToBytes(v))).slice(0, 16)
    const map = db.getMap<unknown>(AUTHS_MAP)
    // 20 junk keys first, then B's authorisation; B's write prunes them, the attacker sets them again
    // (a Y.Map key keeps its first place, so they come before B's in the map's order).
    // (Answers are remembered across reads: this authorisation is one no earlier test checked.)
    const mine = signB('open', NOT_AFTER + 777)
    for (let i = 0; i < 20; i++) map.set(`open:${h}:B:${i.toString(16).padStart(16, '0')}`, 'zz')
    writeAuthorization(db, params, 'open', h, 'B', mine)
    for (let i = 0; i < 20; i++) map.set(`open:${h}:B:${i.toString(16).padStart(16, '0')}`, 'zz')
    expect(readAuthorization(da, params, 'open', h, 'B', NOW)).toBe(mine)
    // 40 entries of the right form under their own tags, signed by A (not B) for later notAfters,
    // written after B's: each read recovers 16 not seen before, and remembers them.
    const theirs = signB('open', NOT_AFTER + 778)
    writeAuthorization(db, params, 'open', h, 'B', theirs)
    const forged = Array.from({ length: 40 }, (_, i) => signA('open', NOT_AFTER + 1 + i))
    for (const f of forged) map.set(`open:${h}:B:${tag(f)}`, f)
    const reads = Array.from({ length: 4 }, () => readAuthorization(da, params, 'open', h, 'B', NOW))
    expect(reads).toEqual([null, null, theirs, theirs])
  })

  it('ensureAuthorization writes its own again, unsigned, when a room peer deleted it (a wallet is not asked again)', async () => {
    const [da, db] = linked()
    let asked = 0
    const sign = async (channelId: string, state: string, terms: AuthorizationTerms) => {
      asked++
      return packAuthorization(signDigest(evmB.privateKey, authorizationDigest({ chainId: params.chainId, address: params.contract }, channelId, state, terms)), terms)
    }
    const at = NOW
    const hd = 'd1'.repeat(32) // a state of its own: what this process wrote is remembered per channel, kind, state and party
    expect(await ensureAuthorization(db, params, 'B', 'open', hd, sign, at)).toBe(true)
    for (const k of [...da.getMap(AUTHS_MAP).keys()]) da.getMap(AUTHS_MAP).delete(k)
    expect(readAuthorization(db, params, 'open', hd, 'B', at)).toBeNull()
    expect(await ensureAuthorization(db, params, 'B', 'open', hd, sign, at + 60_000)).toBe(false)
    expect(asked).toBe(1)
    expect(readAuthorization(da, params, 'open', hd, 'B', at)).toBe(await sign(channelIdOf(params), hd, { kind: 'open', notAfter: at + OPEN_AUTHORIZATION_TTL_MS }))
  })

  it('ensureAuthorization signs only when its own is missing', async () => {
    const d = new Y.Doc()
    let asked = 0
    const sign = async (channelId: string, state: string, terms: AuthorizationTerms) => {
      asked++
      return packAuthorization(signDigest(evmB.privateKey, authorizationDigest({ chainId: params.chainId, address: params.contract }, channelId, state, terms)), terms)
    }
    expect(await ensureAuthorization(d, params, 'B', 'close', h, sign, NOW)).toBe(true)
    expect(await ensureAuthorization(d, params, 'B', 'close', h, sign, NOW + 400 * 86_400_000)).toBe(false)
    expect(asked).toBe(1)
    expect(readAuthorization(d, params, 'close', h, 'B', NOW)).not.toBeNull()
  })

  it('an open authorisation is read only until its notAfter; the one that lasts longest is read', () => {
    const [da, db] = linked()
    writeAuthorization(da, params, 'open', h, 'A', signA('open'))
    expect(readAuthorization(db, params, 'open', h, 'A', NOT_AFTER)).toBe(signA('open'))
    expect(readAuthorization(db, params, 'open', h, 'A', NOT_AFTER + 1)).toBeNull()
    // A later one replaces it in the doc; an earlier one written by a room peer (a replay of an old
    // valid authorisation) is never read while a longer-lasting one is there.
    writeAuthorization(da, params, 'open', h, 'A', signA('open', NOT_AFTER + 1000))
    expect([...db.getMap(AUTHS_MAP).keys()].filter((k) => k.startsWith(`open:${h}:A:`))).toHaveLength(1)
    db.getMap(AUTHS_MAP).set(`open:${h}:A:${bytesToHex(sha256(utf8ToBytes(signA('open')))).slice(0, 16)}`, signA('open'))
    expect(db.getMap(AUTHS_MAP).size).toBe(2)
    expect(readAuthorization(da, params, 'open', h, 'A', NOW)).toBe(signA('open', NOT_AFTER + 1000))
    expect(readAuthorization(da, params, 'open', h, 'A', NOT_AFTER + 1000)).toBe(signA('open', NOT_AFTER + 1000))
  })

  it('ensureAuthorization signs a new open authorisation for OPEN_AUTHORIZATION_TTL_MS when its own has less than OPEN_AUTHORIZATION_RENEW_MS left', async () => {
    const d = new Y.Doc()
    const hr = 'd2'.repeat(32)
    const asked: AuthorizationTerms[] = []
    const sign = async (channelId: string, state: string, terms: AuthorizationTerms) => {
      asked.push(terms)
      return packAuthorization(signDigest(evmB.privateKey, authorizationDigest({ chainId: params.chainId, address: params.contract }, channelId, state, terms)), terms)
    }
    expect(await ensureAuthorization(d, params, 'B', 'open', hr, sign, NOW)).toBe(true)
    expect(asked).toEqual([{ kind: 'open', notAfter: NOT_AFTER }])
    // Still good for longer than the renewal margin: nothing signed.
    expect(await ensureAuthorization(d, params, 'B', 'open', hr, sign, NOT_AFTER - OPEN_AUTHORIZATION_RENEW_MS)).toBe(false)
    // Within the margin: a new one, from that time on.
    const later = NOT_AFTER - OPEN_AUTHORIZATION_RENEW_MS + 1
    expect(await ensureAuthorization(d, params, 'B', 'open', hr, sign, later)).toBe(true)
    expect(asked).toEqual([{ kind: 'open', notAfter: NOT_AFTER }, { kind: 'open', notAfter: later + OPEN_AUTHORIZATION_TTL_MS }])
    expect(readAuthorization(d, params, 'open', hr, 'B', later + OPEN_AUTHORIZATION_TTL_MS)).not.toBeNull()
    expect(d.getMap(AUTHS_MAP).size).toBe(1)
  })
})
