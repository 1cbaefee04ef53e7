import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { privateKeyToAccount } from 'viem/accounts'
import { authorizationDigest, packAuthorization, recoverSigner, signDigest, unpackAuthorization, type AuthorizationTerms } from './evm-auth.ts'
import { evmKeyOf } from './evm-key.ts'

const deployment = { chainId: 31337, address: '5fbdb2315678afecb367f032d93f642f64180aa3' }
const OPEN: AuthorizationTerms = { kind: 'open', notAfter: 1_800_000_000_000 }
const CLOSE: AuthorizationTerms = { kind: 'close' }

describe('EVM authorisations', () => {
  it('signDigest gives the signature viem gives, and recoverSigner finds the signer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), async (secret, state, closing) => {
        const key = evmKeyOf(Buffer.from(secret).toString('hex'))
        const digest = authorizationDigest(deployment, 'ab'.repeat(32), Buffer.from(state).toString('hex'), closing ? CLOSE : OPEN)
        const sig = signDigest(key.privateKey, digest)
        const viemSig = await privateKeyToAccount(`0x${key.privateKey}`).sign({ hash: `0x${digest}` })
        expect(sig).toBe(viemSig.slice(2))
        expect(recoverSigner(digest, sig)).toBe(key.address)
      }),
      { numRuns: 40 },
    )
  })

  it('open and close digests differ, and so do deadlines, chains and deployments', () => {
    const s = 'cd'.repeat(32)
    const c = 'ab'.repeat(32)
    const all = [
      authorizationDigest(deployment, c, s, OPEN),
      authorizationDigest(deployment, c, s, CLOSE),
      authorizationDigest(deployment, c, s, { kind: 'open', notAfter: OPEN.kind === 'open' ? OPEN.notAfter + 1 : 0 }),
      authorizationDigest({ ...deployment, chainId: 1 }, c, s, OPEN),
      authorizationDigest({ ...deployment, address: '00'.repeat(20) }, c, s, OPEN),
    ]
    expect(new Set(all).size).toBe(5)
  })

  it('an open authorisation carries its notAfter after the signature; a close one is the signature alone', () => {
    const sig = 'ab'.repeat(65)
    const open = packAuthorization(sig, { kind: 'open', notAfter: 0x0102030405 })
    expect(open).toBe(`${sig}0000000102030405`)
    expect(unpackAuthorization('open', open)).toEqual({ sig, terms: { kind: 'open', notAfter: 0x0102030405 } })
    expect(packAuthorization(sig, CLOSE)).toBe(sig)
    expect(unpackAuthorization('close', sig)).toEqual({ sig, terms: CLOSE })
    // Each kind refuses the other's form, upper case, other lengths, non-strings and a notAfter past 2^53.
    expect(unpackAuthorization('open', sig)).toBeNull()
    expect(unpackAuthorization('close', open)).toBeNull()
    expect(unpackAuthorization('open', open.toUpperCase())).toBeNull()
    expect(unpackAuthorization('open', `${open}0`)).toBeNull()
    expect(unpackAuthorization('open', 42)).toBeNull()
    expect(unpackAuthorization('open', `${sig}ffffffffffffffff`)).toBeNull()
    expect(() => packAuthorization(sig, { kind: 'open', notAfter: -1 })).toThrow(/notAfter/)
    expect(() => packAuthorization(sig, { kind: 'open', notAfter: 1.5 })).toThrow(/notAfter/)
  })

  it('refuses malformed and malleable signatures (OpenZeppelin tryRecover rules)', () => {
    const key = evmKeyOf('11'.repeat(32))
    const digest = authorizationDigest(deployment, 'ab'.repeat(32), 'cd'.repeat(32), OPEN)
    const sig = signDigest(key.privateKey, digest)
    expect(recoverSigner(digest, sig.slice(0, 128))).toBeNull()
    expect(recoverSigner(digest, `${sig.slice(0, 128)}1d`)).toBeNull()
    expect(recoverSigner(digest, sig.toUpperCase())).toBeNull()
    // High s (n - s) with the flipped v is the same point but refused.
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const s = BigInt(`0x${sig.slice(64, 128)}`)
    const v = sig.slice(128) === '1b' ? '1c' : '1b'
    expect(recoverSigner(digest, `${sig.slice(0, 64)}${(n - s).toString(16).padStart(64, '0')}${v}`)).toBeNull()
    // Another digest recovers another address, never the signer.
    expect(recoverSigner(authorizationDigest(deployment, 'ab'.repeat(32), 'cd'.repeat(32), CLOSE), sig)).not.toBe(key.address)
    expect(() => signDigest('zz', digest)).toThrow(/private key/)
  })
})
