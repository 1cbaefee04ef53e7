import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '../../core/index.ts'
import { formatContact, parseContact } from './contact.ts'

const key = generateKeyPair().publicKey
const evm = 'ab'.repeat(20)

describe('contact', () => {
  it('round-trips, with spaces, upper case or no 0x', () => {
    expect(parseContact(formatContact({ publicKey: key, evm }))).toEqual({ publicKey: key, evm })
    expect(parseContact(` ${key.toUpperCase()} @ 0X${evm.toUpperCase()} `)).toEqual({ publicKey: key, evm })
    expect(parseContact(`${key} ${evm}`)).toEqual({ publicKey: key, evm })
  })
  it('names what is wrong', () => {
    expect(() => parseContact(key)).toThrow(/EVM address is missing/)
    expect(() => parseContact(`${key}@0x1234`)).toThrow(/40 hex/)
    expect(() => parseContact(`${key}@0x${'0'.repeat(40)}`)).toThrow(/zero address/)
    expect(() => parseContact(`${'ff'.repeat(32)}@0x${evm}`)).toThrow(/not a valid ed25519 key/)
    expect(() => parseContact('hello')).toThrow(/expected the public key/)
  })
})
