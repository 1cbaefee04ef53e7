// A new passphrase must not fall to the first 10^12 guesses of a guesser that tries the most used
// passwords, repeats, sequences and small character sets first; the sentence under the field says
// what is weak and what to do. The passphrase the e2e tests and the demo use passes.
import { describe, expect, it } from 'vitest'
import { isProtocolError } from '../../core/index.ts'
import { assertStrongPassphrase, guessesLog10, passphraseProblem } from './passphraseStrength.ts'

const refusal = (p: string) => {
  try {
    assertStrongPassphrase(p)
    return 'OK'
  } catch (e) {
    return isProtocolError(e) ? `${e.code}: ${e.message}` : String(e)
  }
}

describe('a new passphrase', () => {
  it('is refused when built on a most-used password, whatever surrounds it or replaces its letters', () => {
    expect(passphraseProblem('password1')).toBe('Too easy to guess: it is built on “password”, one of the most used passwords, which guessers try first. Four or five uncommon words are strong and easy to remember.')
    for (const p of ['P@ssw0rd!', '!!Monkey123456', 'qwertyuiop', 'Trustno1', '1234567890']) expect(passphraseProblem(p), p).toMatch(/^Too easy to guess: it is built on “/)
  })

  it('is refused when repeats, sequences or a small character set leave few guesses, saying so', () => {
    expect(passphraseProblem('aaaaaaaaaaaa')).toMatch(/^Too easy to guess: about 10\^2 guesses would find it; a key that guards your collateral needs 10\^12 or more\. Repeated characters and sequences such as "aaaa", "abcd" or "qwerty" hardly count\./)
    for (const p of ['abcdefghijkl', '987654321098', 'abcabcabcabc', 'asdfghjklasdfghjkl', 'zzzzyyyyxxxx']) expect(passphraseProblem(p), p).toMatch(/^Too easy to guess: about 10\^\d guesses/)
    // Eight lower-case letters: 26^8, about 10^11.
    expect(passphraseProblem('elephant')).toBe('Too easy to guess: about 10^11 guesses would find it; a key that guards your collateral needs 10^12 or more. Four or five uncommon words are strong and easy to remember.')
    expect(refusal('abcdefghijkl')).toMatch(/^PASSPHRASE_WEAK: Too easy to guess: /)
  })

  it('under 8 characters is refused by its length, in the words the e2e tests read', () => {
    expect(passphraseProblem('short')).toBe('The passphrase needs at least 8 characters (3 more).')
    expect(passphraseProblem('')).toBe('The passphrase needs at least 8 characters (8 more).')
    expect(refusal('short')).toBe('PASSPHRASE_WEAK: The passphrase needs at least 8 characters (3 more).')
  })

  it('is accepted when hard to guess: the e2e and demo passphrase, a few uncommon words, a long random one, non-Latin text', () => {
    for (const p of ['correct horse battery staple', 'violet lantern gravel oyster', 'kT9#vQ2!mZ7$wL', 'elephants', 'Ünïcödé-Pässwört']) expect(passphraseProblem(p), p).toBeNull()
    expect(refusal('correct horse battery staple')).toBe('OK')
  })

  it('counts a run or a straight sequence as one character, and a repeated unit as the unit', () => {
    expect(guessesLog10('abcdefgh')).toBeCloseTo(2 * Math.log10(26))
    expect(guessesLog10('aaaabbbb')).toBeCloseTo(2 * Math.log10(26))
    expect(guessesLog10('xkcdxkcdxkcd')).toBeCloseTo(5 * Math.log10(26))
    expect(guessesLog10('Zq7!')).toBeCloseTo(4 * Math.log10(95))
  })
})
