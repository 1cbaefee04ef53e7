// The rule for a new passphrase. The vault it protects (in this browser, and in every backup) can be
// copied and attacked offline, where nothing limits the tries but scrypt's cost: at the app's cost
// (64 MiB per try, vaultCost.ts) a GPU rig tries some thousands of passphrases a second, so a
// passphrase must not fall to the first 10^12 guesses of a guesser that tries the most used
// passwords, words, years, repeats and sequences first, and their combinations.
//
// The estimate (guessesLog10) is a small model of such a guesser, without a dictionary: the
// passphrase is cut into runs of letters, of digits and of other characters, and their guesses
// multiply (their log10s add). A run of three or more letters counts as a word from a list of about
// 30,000 (10^4.5), a long run as a word per six letters, with a little more for capitals; a shorter
// run of letters, digits and other characters count per character (a year as one of 200), a
// character repeating the one before or continuing a straight sequence ("abcd", "4321", a keyboard
// row) as none; a passphrase made of one repeated unit counts as the unit. A passphrase whose core
// (lower case, common digit-for-letter swaps undone, digits and symbols at its ends cut) is one of
// the most used passwords is refused outright. A word model cannot tell a rare word from a common
// one: zxcvbn can, but its lists are ~230 KiB gzipped, and all of the app's production JavaScript
// must stay under 350 KiB (issue 6's bundle goal, app.bundle_gzip_kib, 348 today). So the rule
// asks for several words, or for letters mixed with digits and symbols.
// Backups and the unlock form are not held to the rule: a key that exists keeps the passphrase it has.
import { IdentityError } from './identityError.ts'

export const MIN_PASSPHRASE = 8
/** log10 of the fewest guesses a new passphrase may fall to, by `guessesLog10`. */
export const MIN_GUESSES_LOG10 = 12

/** The most used passwords' cores (SecLists' top lists), refused whatever digits or symbols surround them. */
const COMMON = new Set(
  ('password passw0rd qwerty qwertyuiop asdfgh asdfghjkl zxcvbnm letmein welcome admin administrator iloveyou monkey dragon football baseball ' +
    'sunshine princess master shadow superman batman trustno1 abc123 abcdef 123456 1234567890 111111 000000 login starwars whatever freedom ' +
    'michael jennifer hunter charlie secret changeme default bitcoin ethereum crypto satoshi').split(' '),
)
const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' }
/** Straight sequences, both ways: the alphabet, the digits and the keyboard's rows. */
const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '0123456789', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1234567890'].flatMap((q) => [q, [...q].reverse().join('')])

/** How many characters of `p` a guesser must guess: one repeating the one before, or continuing a straight sequence of three, adds none. */
function effectiveLength(p: string): number {
  const lower = p.toLowerCase()
  let len = 0
  for (let i = 0; i < p.length; i++) {
    const repeat = i >= 1 && p[i] === p[i - 1]
    const sequence = i >= 2 && SEQUENCES.some((q) => q.includes(lower.slice(i - 2, i + 1)))
    if (!repeat && !sequence) len++
  }
  return len
}

/** log10 of the guesser's word list (about 30,000 words, names and their common forms). */
const WORD_LOG10 = 4.5

/** log10 of how many guesses find one run of letters, digits or other characters (see the top). */
function runLog10(run: string): number {
  const n = effectiveLength(run)
  if (/^\p{L}/u.test(run)) {
    const mixed = run.slice(1) !== run.slice(1).toLowerCase() // capitals after the first letter
    const capital = run[0] !== run[0]!.toLowerCase()
    if (run.length >= 3) return WORD_LOG10 * Math.max(1, n / 6) + (mixed ? 1 : capital ? 0.3 : 0)
    return n * Math.log10(mixed || capital ? 52 : 26)
  }
  if (/^\p{N}/u.test(run)) return /^(19|20)\d\d$/.test(run) ? Math.log10(200) : n
  return [...run].reduce((g, c, i, all) => g + (i > 0 && c === all[i - 1] ? 0 : c === ' ' ? 0.5 : Math.log10(33)), 0)
}

/** log10 of how many guesses find `p` by the model above. */
export function guessesLog10(p: string): number {
  // A passphrase made of one repeated unit ("abcabcabc") is as strong as the unit, and how many
  // times it repeats (units up to 64 characters are looked for: the form checks on every key).
  for (let n = 1; n <= Math.min(p.length / 2, 64); n++) if (p.length % n === 0 && p.slice(0, n).repeat(p.length / n) === p) return guessesLog10(p.slice(0, n)) + Math.log10(p.length / n)
  return (p.match(/\p{L}+|\p{N}+|[^\p{L}\p{N}]+/gu) ?? []).reduce((g, run) => g + runLog10(run), 0)
}

/** The common password `p` is made of, when it is one (see COMMON). */
function commonCore(p: string): string | null {
  const lower = p.toLowerCase()
  const ends = (s: string) => s.replace(/^[^a-z]+|[^a-z]+$/g, '')
  const cores = [ends(lower), ends([...lower].map((c) => LEET[c] ?? c).join('')), lower.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')]
  return cores.find((c) => COMMON.has(c)) ?? null
}

/** What is wrong with `passphrase` as a new one, in words that say what is weak and what to do, or null. */
export function passphraseProblem(passphrase: string): string | null {
  if (passphrase.length < MIN_PASSPHRASE) return `The passphrase needs at least ${MIN_PASSPHRASE} characters (${MIN_PASSPHRASE - passphrase.length} more).`
  const help = 'Four or five uncommon words are strong and easy to remember.'
  const common = commonCore(passphrase)
  if (common !== null) return `Too easy to guess: it is built on “${common}”, one of the most used passwords, which guessers try first. ${help}`
  const g = guessesLog10(passphrase)
  if (g >= MIN_GUESSES_LOG10) return null
  return `Too easy to guess: about 10^${Math.floor(g)} guesses would find it (guessers try words, names, years, repeats and sequences such as "abcd" or "qwerty" first, and their combinations); a key that guards your collateral needs 10^${MIN_GUESSES_LOG10} or more. ${help}`
}

/** Refuses a new passphrase that breaks the rule (PASSPHRASE_WEAK, the sentence passphraseProblem gives). */
export function assertStrongPassphrase(passphrase: string): void {
  const problem = passphraseProblem(passphrase)
  if (problem !== null) throw new IdentityError('PASSPHRASE_WEAK', problem)
}
