import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { privateKeyToAccount } from 'viem/accounts'
import { evmKeyOf } from './evm-key.ts'
import { generateKeyPair } from './identity.ts'

describe('evmKeyOf', () => {
  it('derives the same account from the same identity, and viem agrees on its address', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const secret = Array.from(seed, (b) => b.toString(16).padStart(2, '0')).join('')
        const a = evmKeyOf(secret)
        expect(evmKeyOf(secret)).toEqual(a)
        expect(privateKeyToAccount(`0x${a.privateKey}`).address.toLowerCase()).toBe(`0x${a.address}`)
      }),
      { numRuns: 50 },
    )
  })

  it('different identities get different accounts; a known answer pins the derivation', () => {
    const x = evmKeyOf(generateKeyPair().secretKey)
    const y = evmKeyOf(generateKeyPair().secretKey)
    expect(x.address).not.toBe(y.address)
    expect(evmKeyOf('11'.repeat(32)).address).toBe(KNOWN)
  })

  it('refuses a malformed secret', () => {
    expect(() => evmKeyOf('zz')).toThrow(/32 bytes/)
  })
})

// Computed once from this derivation (HKDF-SHA256, label otc-evm-key/v1); a change to it fails here.
const KNOWN = '26df7f18b322dadade95e2b8dbe7edd84ca60bba'
