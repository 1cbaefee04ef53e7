// The rule for a new passphrase. The vault it protects (in this browser, and in every backup) can be
// copied and attacked offline, where nothing limits the tries but scrypt's cost: at the app's cost
// (64 MiB per try, vaultCost.ts) a GPU rig tries some thousands of passphrases a second, so a
// passphrase must not fall to the first 10^12 guesses of a guesser that tries the most common
// passwords, repeats, sequences and short character sets first.
//
// The estimate (guessesLog10) is deliberately small: the characters it counts, with a run of one
// character or a straight sequence ("abcd", "4321", a keyboard row) counted as one and a passphrase
// made of one repeated unit counted as the unit, times log10 of the size of the character classes
// used; a passphrase whose core (lower case, common digit-for-letter swaps undone, digits and
// symbols at its ends cut) is one of the most used passwords is refused outright. It does not know
// dictionary words: zxcvbn does, but its lists are ~230 KiB gzipped, and all of the app's production
// JavaScript must stay under 350 KiB (issue 6's bundle goal, app.bundle_gzip_kib, 348 today).
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

/** How many characters a guesser must guess: a character repeating the one before or continuing a straight sequence of three adds none. */
function effectiveLength(p: string): number {
  // A passphrase made of one repeated unit ("abcabcabc") is as strong as the unit.
  for (let n = 1; n <= p.length / 2; n++) if (p.length % n === 0 && p.slice(0, n).repeat(p.length / n) === p) return effectiveLength(p.slice(0, n)) + 1
  const lower = p.toLowerCase()
  let len = 0
  for (let i = 0; i < p.length; i++) {
    const repeat = i >= 1 && p[i] === p[i - 1]
    const sequence = i >= 2 && SEQUENCES.some((q) => q.includes(lower.slice(i - 2, i + 1)))
    if (!repeat && !sequence) len++
  }
  return len
}

/** The size of the character classes `p` uses. */
function poolSize(p: string): number {
  let pool = 0
  if (/[a-z]/.test(p)) pool += 26
  if (/[A-Z]/.test(p)) pool += 26
  if (/[0-9]/.test(p)) pool += 10
  if (/ /.test(p)) pool += 1
  if (/[!-/:-@[-`{-~]/.test(p)) pool += 33
  if (/[^\x20-\x7e]/.test(p)) pool += 100
  return pool
}

/** log10 of how many guesses find `p` by the model above. */
export function guessesLog10(p: string): number {
  return effectiveLength(p) * Math.log10(Math.max(poolSize(p), 1))
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
  const patterned = effectiveLength(passphrase) < passphrase.length ? ' Repeated characters and sequences such as "aaaa", "abcd" or "qwerty" hardly count.' : ''
  return `Too easy to guess: about 10^${Math.floor(g)} guesses would find it; a key that guards your collateral needs 10^${MIN_GUESSES_LOG10} or more.${patterned} ${help}`
}

/** Refuses a new passphrase that breaks the rule (PASSPHRASE_WEAK, the sentence passphraseProblem gives). */
export function assertStrongPassphrase(passphrase: string): void {
  const problem = passphraseProblem(passphrase)
  if (problem !== null) throw new IdentityError('PASSPHRASE_WEAK', problem)
}
