// A new passphrase must be hard to guess (zxcvbn's estimate, 10^10 guesses), and the sentence under
// the field says what is weak and what to do. The passphrase the e2e tests and the demo use passes.
import { describe, expect, it } from 'vitest'
import { isProtocolError } from '../../core/index.ts'
import { assertStrongPassphrase, loadEstimator, passphraseProblem } from './passphraseStrength.ts'

const refusal = (p: string) => assertStrongPassphrase(p).then(() => 'OK', (e: unknown) => (isProtocolError(e) ? `${e.code}: ${e.message}` : String(e)))

describe('a new passphrase', () => {
  it('is refused when common or patterned, saying what is weak and what to do', async () => {
    const estimator = await loadEstimator()
    expect(passphraseProblem('password1', estimator)).toBe('Too easy to guess: This is a commonly used password. Add more words, less common ones. About 10^2 guesses would find it; a key that guards your collateral needs 10^10 or more.')
    expect(passphraseProblem('aaaaaaaaaaaa', estimator)).toMatch(/^Too easy to guess: Repeated characters like "aaa" are easy to guess\. .*Leave out repeated words and characters\./)
    expect(passphraseProblem('qwertyuiop', estimator)).toMatch(/^Too easy to guess: This is one of the hundred most used passwords\./)
    expect(passphraseProblem('january1990', estimator)).toMatch(/^Too easy to guess: This is close to a commonly used password\./)
    expect(passphraseProblem('Summer2024!', estimator)).toMatch(/^Too easy to guess: .* Capitalise more than the first letter\./)
    expect(await refusal('monkey123456')).toMatch(/^PASSPHRASE_WEAK: Too easy to guess: /)
  })

  it('under 8 characters is refused by its length at once, without the estimator, in the words the e2e tests read', async () => {
    expect(passphraseProblem('short', null)).toBe('The passphrase needs at least 8 characters (3 more).')
    expect(passphraseProblem('', null)).toBe('The passphrase needs at least 8 characters (8 more).')
    expect(await refusal('short')).toBe('PASSPHRASE_WEAK: The passphrase needs at least 8 characters (3 more).')
  })

  it('is accepted when hard to guess: the e2e and demo passphrase, a few uncommon words, a long random one', async () => {
    const estimator = await loadEstimator()
    for (const p of ['correct horse battery staple', 'violet lantern gravel oyster', 'kT9#vQ2!mZ7$wL']) expect(passphraseProblem(p, estimator), p).toBeNull()
    expect(await refusal('correct horse battery staple')).toBe('OK')
  })

  it('is judged by its length alone while the estimator loads (create() then checks it)', () => {
    expect(passphraseProblem('password1', null)).toBeNull()
  })
})
