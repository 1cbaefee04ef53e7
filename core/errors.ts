// One error base for the protocol. `code` is stable: the UI shows it, tests assert on it.

export type ErrorCode =
  | 'INVALID_FIELD'
  | 'UNBOUNDED_LOSS'
  | 'INSUFFICIENT_BALANCE'
  | 'CONSERVATION_VIOLATED'
  | 'BAD_SIGNATURE'
  | 'WRONG_CHANNEL'
  | 'WRONG_PARTY'
  | 'QUOTE_EXPIRED'
  | 'QUOTE_NONCE_USED'
  | 'QUOTE_BASE_VERSION'
  | 'STATE_FINAL'
  | 'VERSION_NOT_INCREASING'
  | 'PREV_HASH_MISMATCH'
  | 'TIME_REGRESSION'
  | 'POSITION_NOT_FOUND'
  | 'POSITION_EXISTS'
  | 'NOT_EXPIRED'
  | 'ATTESTATION_MISMATCH'
  | 'OPEN_POSITIONS'
  | 'TOO_MANY_POSITIONS'
  | 'TRANSITION_MISMATCH'
  | 'VAULT_WRONG_PASSPHRASE'
  | 'VAULT_CORRUPT'

/**
 * The one error base of the project. Other modules (pricing, contract, sync) extend it with their
 * own code unions: `class ContractError extends ProtocolError<ContractErrorCode>`.
 */
export class ProtocolError<C extends string = ErrorCode> extends Error {
  readonly code: C
  readonly details: Readonly<Record<string, unknown>>
  constructor(code: C, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.name = new.target.name
    this.code = code
    this.details = details
  }
}

/** Untrusted input that failed to parse. `field` is the dotted path of the first bad field. */
export class ParseError extends ProtocolError {
  readonly field: string
  /** The reason without the field path. */
  readonly reason: string
  constructor(field: string, reason: string) {
    super('INVALID_FIELD', field ? `${field}: ${reason}` : reason, { field })
    this.field = field
    this.reason = reason
  }
}

/** A transition or a state that breaks a protocol rule. */
export class TransitionError extends ProtocolError {}

export class SignatureError extends ProtocolError {}

export class VaultError extends ProtocolError {}

export function isProtocolError(e: unknown): e is ProtocolError<string> {
  return e instanceof ProtocolError
}
