// Errors on screen: the sentence the trader reads never carries the raw code; the code is kept apart
// for the tooltip (support) and for tests.
import { describe, expect, it } from 'vitest'
import { ChainCallError } from '../channel-contract/client/index.ts'
import { ParseError, VaultError } from '../core/index.ts'
import { describeFailure, failureOf, failureTitle } from './failure.ts'
import { identityFailure } from './identity/useIdentity.ts'

/** A code in parentheses, the way it used to be appended: "… (CLIENT_QUOTA)". */
const RAW_CODE = /\([A-Z][A-Z0-9_]+\)/

describe('an error as the trader reads it', () => {
  it('keeps the code out of the sentence, for every kind of error', () => {
    const cases: [unknown, string, string | null][] = [
      [new VaultError('VAULT_CORRUPT', 'the vault decrypts to a key other than the one it names'), 'the vault decrypts to a key other than the one it names', 'VAULT_CORRUPT'],
      [new ParseError('backup', 'the backup text is damaged (not base64 JSON)'), 'backup: the backup text is damaged (not base64 JSON)', 'INVALID_FIELD'],
      [new ChainCallError('CHANNEL_EXISTS', 'This channel is already open (or was closed) on the contract.', 'Nothing to do: a channel opens once.'), 'This channel is already open (or was closed) on the contract. Nothing to do: a channel opens once.', 'CHANNEL_EXISTS'],
      [new Error('the chain or the oracle service is not reachable'), 'the chain or the oracle service is not reachable', null],
      ['You cannot deposit 5.00 USDC: your wallet holds 1.00 USDC.', 'You cannot deposit 5.00 USDC: your wallet holds 1.00 USDC.', null],
    ]
    for (const [e, text, code] of cases) {
      expect(failureOf(e), text).toEqual({ text, code })
      expect(describeFailure(e)).toBe(text)
      expect(describeFailure(e)).not.toMatch(RAW_CODE)
    }
  })

  it('puts the code in the tooltip, and no tooltip without one', () => {
    expect(failureTitle({ text: 'x', code: 'CLIENT_QUOTA' })).toBe('Error code (for support): CLIENT_QUOTA')
    expect(failureTitle({ text: 'x', code: null })).toBeUndefined()
  })

  it('adds what to do where the message only says what is wrong (the identity screen)', () => {
    const wrong = identityFailure(new VaultError('VAULT_WRONG_PASSPHRASE', 'wrong passphrase (or the vault was altered)'))
    expect(wrong.code).toBe('VAULT_WRONG_PASSPHRASE')
    expect(wrong.text).toMatch(/^wrong passphrase \(or the vault was altered\)\. Check the passphrase .* and try again/)
    expect(wrong.text).not.toMatch(RAW_CODE)
    // A code the screen has no hint for keeps its message as it is.
    expect(failureOf(new VaultError('VAULT_CORRUPT', 'damaged.'), { OTHER: 'do this' })).toEqual({ text: 'damaged.', code: 'VAULT_CORRUPT' })
  })
})
