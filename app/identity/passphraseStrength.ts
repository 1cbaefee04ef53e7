// The rule for a new passphrase. The vault it protects (in this browser, and in every backup) can be
// copied and attacked offline, where nothing limits the tries but scrypt's cost: at the app's cost
// (64 MiB per try, vaultCost.ts) a GPU rig tries some thousands of passphrases a second, so a
// passphrase needs about 10^10 guesses to hold for weeks, where 10^8 (what stops online guessing)
// falls in hours. So: at least 8 characters (said at once, as before) and at least 10^10 guesses by
// zxcvbn's estimate (its top score, 4), which knows the common passwords, words, names, keyboard
// walks, repeats and dates that guessers try first, and says what is weak and what helps.
//
// The estimator is a chunk of its own (strengthEstimator.ts, ~230 KiB gzipped, nearly all of it the
// common-password list), loaded when the identity screen shows the Create form: the page's main
// chunk does not carry it. Backups and the unlock form are not held to the rule: a key that exists
// keeps the passphrase it has.
import { IdentityError } from './identityError.ts'

export const MIN_PASSPHRASE = 8
/** log10 of the fewest guesses a new passphrase may fall to, by the estimator. */
export const MIN_GUESSES_LOG10 = 10

/** How many guesses find a passphrase (log10), what makes it weak (a sentence, or null) and what would help. */
export interface Estimate {
  readonly guessesLog10: number
  readonly warning: string | null
  readonly suggestions: readonly string[]
}
export type Estimator = (passphrase: string) => Estimate

let loading: Promise<Estimator> | null = null

/** The estimator, loaded once (again after a failed load); refuses with PASSPHRASE_CHECK_UNAVAILABLE when its chunk does not load. */
export function loadEstimator(): Promise<Estimator> {
  loading ??= import('./strengthEstimator.ts').then(
    (m) => m.estimate,
    (e: unknown) => {
      loading = null
      throw new IdentityError('PASSPHRASE_CHECK_UNAVAILABLE', `the passphrase strength check could not be loaded (${e instanceof Error ? e.message : String(e)}): reload the page and try again`)
    },
  )
  return loading
}

/**
 * What is wrong with `passphrase` as a new one, in words that say what is weak and what to do, or
 * null. Without the estimator (still loading) only the length is judged.
 */
export function passphraseProblem(passphrase: string, estimator: Estimator | null): string | null {
  if (passphrase.length < MIN_PASSPHRASE) return `The passphrase needs at least ${MIN_PASSPHRASE} characters (${MIN_PASSPHRASE - passphrase.length} more).`
  if (estimator === null) return null
  const e = estimator(passphrase)
  if (e.guessesLog10 >= MIN_GUESSES_LOG10) return null
  const help = e.suggestions.length > 0 ? e.suggestions.join(' ') : 'Add more words, less common ones.'
  const guesses = `About 10^${Math.max(0, Math.floor(e.guessesLog10))} guesses would find it; a key that guards your collateral needs 10^${MIN_GUESSES_LOG10} or more.`
  return `Too easy to guess: ${e.warning ? `${e.warning} ${help} ${guesses}` : `${guesses} ${help}`}`
}

/** Refuses a new passphrase that breaks the rule (PASSPHRASE_WEAK, the sentence passphraseProblem gives), after loading the estimator. */
export async function assertStrongPassphrase(passphrase: string): Promise<void> {
  const problem = passphraseProblem(passphrase, passphrase.length < MIN_PASSPHRASE ? null : await loadEstimator())
  if (problem !== null) throw new IdentityError('PASSPHRASE_WEAK', problem)
}
