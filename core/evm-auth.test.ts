import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { privateKeyToAccount } from 'viem/accounts'
import { authorizationDigest, recoverSigner, signDigest } from './evm-auth.ts'
import { evmKeyOf } from './evm-key.ts'

const deployment = { chainId: 31337, address: '5fbdb2315678afecb367f032d93f642f64180aa3' }

describe('EVM authorisations', () => {
  it('signDigest gives the signature viem gives, and recoverSigner finds the signer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), async (secret, state, closing) => {
        const key = evmKeyOf(Buffer.from(secret).toString('hex'))
        const digest = authorizationDigest(deployment, 'ab'.repeat(32), Buffer.from(state).toString('hex'), closing)
        const sig = signDigest(key.privateKey, digest)
        const viemSig = await privateKeyToAccount(`0x${key.privateKey}`).sign({ hash: `0x${digest}` })
        expect(sig).toBe(viemSig.slice(2))
        expect(recoverSigner(digest, sig)).toBe(key.address)
      }),
      { numRuns: 40 },
    )
  })

  it('open and close digests differ, and so do chains and deployments', () => {
    const s = 'cd'.repeat(32)
    const c = 'ab'.repeat(32)
    const all = [
      authorizationDigest(deployment, c, s, false),
      authorizationDigest(deployment, c, s, true),
      authorizationDigest({ ...deployment, chainId: 1 }, c, s, false),
      authorizationDigest({ ...deployment, address: '00'.repeat(20) }, c, s, false),
    ]
    expect(new Set(all).size).toBe(4)
  })

  it('refuses malformed and malleable signatures (OpenZeppelin tryRecover rules)', () => {
    const key = evmKeyOf('11'.repeat(32))
    const digest = authorizationDigest(deployment, 'ab'.repeat(32), 'cd'.repeat(32), false)
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
    expect(recoverSigner(authorizationDigest(deployment, 'ab'.repeat(32), 'cd'.repeat(32), true), sig)).not.toBe(key.address)
    expect(() => signDigest('zz', digest)).toThrow(/private key/)
  })
})
