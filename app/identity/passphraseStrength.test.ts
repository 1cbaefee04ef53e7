// A new passphrase must not fall to the first 10^12 guesses of a guesser that tries the most used
// passwords, words, years, repeats and sequences first; the sentence under the field says what is
// weak and what to do. The passphrase the e2e tests and the demo use passes.
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
const WEAK = /^Too easy to guess: about 10\^\d+ guesses would find it \(guessers try words, names, years, repeats and sequences such as "abcd" or "qwerty" first, and their combinations\); a key that guards your collateral needs 10\^12 or more\. Four or five uncommon words are strong and easy to remember\.$/

describe('a new passphrase', () => {
  it('is refused when built on a most-used password, whatever surrounds it or replaces its letters', () => {
    expect(passphraseProblem('password1')).toBe('Too easy to guess: it is built on “password”, one of the most used passwords, which guessers try first. Four or five uncommon words are strong and easy to remember.')
    for (const p of ['P@ssw0rd!', '!!Monkey123456', 'qwertyuiop', 'Trustno1', '1234567890']) expect(passphraseProblem(p), p).toMatch(/^Too easy to guess: it is built on “/)
  })

  it('is refused when a word or two with a capital, digits or a year would be found early, saying so', () => {
    // What a wordlist with rules finds first (the last session's review listed these).
    for (const p of ['Summer2024!', 'January2025', 'Liverpool1', 'Bitcoin4ever', 'iloveyoubaby', 'correcthorse', 'elephants']) expect(passphraseProblem(p), p).toMatch(WEAK)
    expect(passphraseProblem('Summer2024!')).toMatch(/^Too easy to guess: about 10\^8 guesses/)
    expect(refusal('Liverpool1')).toMatch(/^PASSPHRASE_WEAK: Too easy to guess: /)
  })

  it('is refused when repeats and sequences leave few guesses', () => {
    for (const p of ['aaaaaaaaaaaa', 'abcdefghijkl', '987654321098', 'abcabcabcabc', 'asdfghjklasdfghjkl', 'zzzzyyyyxxxx', '!!!!!!!!####']) expect(passphraseProblem(p), p).toMatch(WEAK)
  })

  it('under 8 characters is refused by its length, in the words the e2e tests read', () => {
    expect(passphraseProblem('short')).toBe('The passphrase needs at least 8 characters (3 more).')
    expect(passphraseProblem('')).toBe('The passphrase needs at least 8 characters (8 more).')
    expect(refusal('short')).toBe('PASSPHRASE_WEAK: The passphrase needs at least 8 characters (3 more).')
  })

  it('is accepted when hard to guess: several words, one long run of them, a random mix, non-Latin text', () => {
    for (const p of ['correct horse battery staple', 'violet lantern gravel oyster', 'correcthorsebatterystaple', 'kT9#vQ2!mZ7$wL', 'Ünïcödé-Pässwört-Fünf']) expect(passphraseProblem(p), p).toBeNull()
    expect(refusal('correct horse battery staple')).toBe('OK')
  })

  it('counts a run of letters as a word (a word per six letters), a year as one of 200, a repeated unit as the unit', () => {
    expect(guessesLog10('correct horse battery staple')).toBeCloseTo(4 * 4.5 + 3 * 0.5)
    expect(guessesLog10('abcdefgh')).toBeCloseTo(4.5) // a straight sequence: no more than one word
    expect(guessesLog10('correcthorsebatterystaple')).toBeCloseTo((4.5 * 23) / 6) // "rr" and "tt" count once
    expect(guessesLog10('Summer2024!')).toBeCloseTo(4.5 + 0.3 + Math.log10(200) + Math.log10(33))
    expect(guessesLog10('xkcdxkcdxkcd')).toBeCloseTo(4.5 + Math.log10(3))
    expect(guessesLog10('Zq7!')).toBeCloseTo(2 * Math.log10(52) + 1 + Math.log10(33))
  })

  it('looks for repeated units of up to 64 characters: a longer unit repeated is judged by its runs', () => {
    expect(passphraseProblem('ab'.repeat(10_000))).toMatch(WEAK)
    const unit = 'violet lantern gravel oyster tulip marble copper meadow falcon harbor quiet ember ' // 82 characters
    expect(guessesLog10(unit.repeat(3))).toBeGreaterThan(guessesLog10(unit))
  })
})
