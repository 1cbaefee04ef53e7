// An error as the trader reads it: a sentence saying what is wrong and what to do, with the error's
// stable code kept apart (a tooltip for support, tests), never appended to the sentence: "(CLIENT_QUOTA)"
// in the middle of the screen tells a trader nothing. The one rule for every error the app shows.
import { ChainCallError } from '../channel-contract/client/index.ts'
import { isProtocolError } from '../core/index.ts'

export interface Failure {
  /** What went wrong and, where known, what to do: shown. */
  readonly text: string
  /** The error's stable code (ProtocolError, the chain's and the desk's refusals), or null: for support, not the sentence. */
  readonly code: string | null
}

/**
 * Any thrown value (or a sentence of the app's own) as a Failure. `hints` says what to do per code
 * where the error's own message only says what is wrong (a screen knows its errors: the identity
 * screen's vault refusals); a chain refusal carries its own hint.
 */
export function failureOf(e: unknown, hints: Readonly<Record<string, string>> = {}): Failure {
  if (e instanceof ChainCallError) return { text: `${e.message} ${e.hint}`, code: e.code }
  if (isProtocolError(e)) {
    const hint = hints[e.code]
    return { text: hint === undefined ? e.message : `${e.message.replace(/[.\s]+$/, '')}. ${hint}`, code: e.code }
  }
  return { text: e instanceof Error ? e.message : String(e), code: null }
}

/**
 * A refusal the engine already put in words (a rejected document entry, what became of a proposal),
 * with its stable code apart; an empty code (the engine's "none") is no code.
 */
export function worded(text: string, code: string | null | undefined): Failure {
  return { text, code: code ? code : null }
}

/** The sentence alone, for a line that has no room for the code (a notice, a status, a log). */
export function describeFailure(e: unknown): string {
  return failureOf(e).text
}

/** The tooltip that carries the code, or undefined when there is none. */
export function failureTitle(f: Failure): string | undefined {
  return f.code === null ? undefined : `Error code (for support): ${f.code}`
}
