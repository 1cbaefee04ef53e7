// The passphrase strength estimator: zxcvbn-ts (pattern matching: dictionary words and their l33t
// and reversed forms, keyboard walks, repeats, sequences, dates) over the common-password and
// diceware lists of @zxcvbn-ts/language-common. Loaded only by passphraseStrength.ts's dynamic
// import, so it is a chunk of its own (about 230 KiB gzipped, nearly all the 49,000 common
// passwords) fetched when a passphrase is being chosen, never part of the page's main chunk.
import { ZxcvbnFactory, type TranslationKeys } from '@zxcvbn-ts/core'
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common'
import type { Estimate } from './passphraseStrength.ts'

/** zxcvbn's feedback in the words the identity screen uses: what is weak, then what to do. */
const translations: TranslationKeys = {
  warnings: {
    straightRow: 'A straight row of keys on the keyboard is easy to guess.',
    keyPattern: 'A short keyboard pattern is easy to guess.',
    simpleRepeat: 'Repeated characters like "aaa" are easy to guess.',
    extendedRepeat: 'Repeated patterns like "abcabcabc" are easy to guess.',
    sequences: 'Sequences like "abc" or "6543" are easy to guess.',
    recentYears: 'Recent years are easy to guess.',
    dates: 'Dates are easy to guess.',
    topTen: 'This is one of the ten most used passwords.',
    topHundred: 'This is one of the hundred most used passwords.',
    common: 'This is a commonly used password.',
    similarToCommon: 'This is close to a commonly used password.',
    wordByItself: 'A single word is easy to guess.',
    namesByThemselves: 'Names on their own are easy to guess.',
    commonNames: 'Common names are easy to guess.',
    userInputs: 'It contains words of this page.',
    pwned: 'This password was exposed in a data breach.',
  },
  suggestions: {
    l33t: "Letter swaps like '@' for 'a' do not help much.",
    reverseWords: 'Spelling a common word backwards does not help much.',
    allUppercase: 'Capitalise some letters, not all.',
    capitalization: 'Capitalise more than the first letter.',
    dates: 'Leave out dates and years that have to do with you.',
    recentYears: 'Leave out recent years.',
    associatedYears: 'Leave out years that have to do with you.',
    sequences: 'Leave out common sequences.',
    repeated: 'Leave out repeated words and characters.',
    longerKeyboardPattern: 'Use longer keyboard patterns that change direction.',
    anotherWord: 'Add more words, less common ones.',
    useWords: 'Use several words, not a common phrase.',
    noNeed: 'A few uncommon words make it strong without symbols, digits or capitals.',
    pwned: 'If you use it anywhere else, change it there too.',
  },
  timeEstimation: {
    ltSecond: 'less than a second',
    second: '{base} second',
    seconds: '{base} seconds',
    minute: '{base} minute',
    minutes: '{base} minutes',
    hour: '{base} hour',
    hours: '{base} hours',
    day: '{base} day',
    days: '{base} days',
    month: '{base} month',
    months: '{base} months',
    year: '{base} year',
    years: '{base} years',
    centuries: 'centuries',
  },
}

const zxcvbn = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs, translations })

/** zxcvbn's estimate of how many guesses find `passphrase`, with what makes it weak and what would help. */
export function estimate(passphrase: string): Estimate {
  const r = zxcvbn.check(passphrase)
  return { guessesLog10: r.guessesLog10, warning: r.feedback.warning, suggestions: r.feedback.suggestions }
}
