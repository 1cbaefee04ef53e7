import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { channelIdOf, type ChannelParams } from '../channel.ts'
import { authorizationDigest, signDigest } from '../evm-auth.ts'
import { evmKeyOf } from '../evm-key.ts'
import { stateHash } from '../state.ts'
import { testChannel } from '../testkit.ts'
import { AUTHS_MAP, authorizationDigestFor, ensureAuthorization, readAuthorization, writeAuthorization } from './auths.ts'

const ch = testChannel({ label: 'auths' })
const evmA = evmKeyOf(ch.a.secretKey)
const evmB = evmKeyOf(ch.b.secretKey)
const params: ChannelParams = { ...ch.params, evmA: evmA.address, evmB: evmB.address }
const h = stateHash(ch.genesis)
const signA = (kind: 'open' | 'close') => signDigest(evmA.privateKey, authorizationDigestFor(params, kind, h))
const signB = (kind: 'open' | 'close') => signDigest(evmB.privateKey, authorizationDigestFor(params, kind, h))

function linked(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc()
  const b = new Y.Doc()
  a.on('update', (u: Uint8Array) => Y.applyUpdate(b, u))
  b.on('update', (u: Uint8Array) => Y.applyUpdate(a, u))
  return [a, b]
}

describe('EVM authorisations in the doc', () => {
  it('the digest is the contract\'s (chain, deployment, channel, state, open or close)', () => {
    expect(authorizationDigestFor(params, 'open', h)).toBe(authorizationDigest({ chainId: params.chainId, address: params.contract }, channelIdOf(params), h, false))
    expect(authorizationDigestFor(params, 'close', h)).not.toBe(authorizationDigestFor(params, 'open', h))
  })

  it('each party writes its own; the other reads it after sync; open and close are separate', () => {
    const [da, db] = linked()
    writeAuthorization(da, params, 'open', h, 'A', signA('open'))
    expect(readAuthorization(db, params, 'open', h, 'A')).toBe(signA('open'))
    expect(readAuthorization(db, params, 'open', h, 'B')).toBeNull()
    expect(readAuthorization(db, params, 'close', h, 'A')).toBeNull()
    writeAuthorization(db, params, 'open', h, 'B', signB('open'))
    expect(readAuthorization(da, params, 'open', h, 'B')).toBe(signB('open'))
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
    expect(readAuthorization(da, params, 'open', h, 'A')).toBeNull()
    // A notices its authorisation is missing and writes it again: the junk goes, the valid one is back.
    writeAuthorization(da, params, 'open', h, 'A', signA('open'))
    expect(readAuthorization(db, params, 'open', h, 'A')).toBe(signA('open'))
    expect([...map.keys()].filter((k) => k.startsWith(`open:${h}:A:`))).toHaveLength(1)
  })

  it('ensureAuthorization signs only when its own is missing', async () => {
    const d = new Y.Doc()
    let asked = 0
    const sign = async (channelId: string, state: string, closing: boolean) => {
      asked++
      return signDigest(evmB.privateKey, authorizationDigest({ chainId: params.chainId, address: params.contract }, channelId, state, closing))
    }
    expect(await ensureAuthorization(d, params, 'B', 'close', h, sign)).toBe(true)
    expect(await ensureAuthorization(d, params, 'B', 'close', h, sign)).toBe(false)
    expect(asked).toBe(1)
    expect(readAuthorization(d, params, 'close', h, 'B')).not.toBeNull()
  })
})
