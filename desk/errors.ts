// The demo counterparty's one error type: a stable code (the HTTP API and the logs show it), the
// HTTP status it answers with, and the request field at fault when there is one.
import { isProtocolError, ProtocolError } from '../core/index.ts'

export type DemoErrorCode =
  | 'BAD_JSON'
  | 'BODY_TOO_LARGE'
  | 'INVALID_FIELD'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'INVITE_INVALID'
  | 'NOT_FOR_ME'
  | 'WRONG_CONTRACT'
  | 'WRONG_ORACLE'
  | 'WRONG_ASSET'
  | 'DEPOSIT_TOO_LARGE'
  | 'CHALLENGE_TOO_SHORT'
  | 'UNKNOWN_CHANNEL'
  | 'RELEASE_STALE'
  | 'BAD_SIGNATURE'
  | 'CHANNEL_ON_CHAIN'
  | 'CLIENT_QUOTA'
  | 'RATE_LIMITED'
  | 'DESK_FULL'
  | 'CHAIN_UNAVAILABLE'
  | 'DESK_UNFUNDED'
  | 'BAD_ARGUMENT'
  | 'DATA_CORRUPT'
  | 'INTERNAL'

const STATUS: Record<DemoErrorCode, number> = {
  BAD_JSON: 400,
  BODY_TOO_LARGE: 413,
  INVALID_FIELD: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  INVITE_INVALID: 422,
  NOT_FOR_ME: 422,
  WRONG_CONTRACT: 422,
  WRONG_ORACLE: 422,
  WRONG_ASSET: 422,
  DEPOSIT_TOO_LARGE: 422,
  CHALLENGE_TOO_SHORT: 422,
  UNKNOWN_CHANNEL: 404,
  RELEASE_STALE: 422,
  BAD_SIGNATURE: 403,
  CHANNEL_ON_CHAIN: 409,
  CLIENT_QUOTA: 429,
  RATE_LIMITED: 429,
  DESK_FULL: 503,
  CHAIN_UNAVAILABLE: 503,
  DESK_UNFUNDED: 503,
  BAD_ARGUMENT: 400,
  DATA_CORRUPT: 500,
  INTERNAL: 500,
}

export class DemoError extends ProtocolError<DemoErrorCode> {
  readonly status: number
  readonly field: string | undefined
  constructor(code: DemoErrorCode, message: string, field?: string) {
    super(code, message, field ? { field } : {})
    this.status = STATUS[code]
    this.field = field
  }
}

/** Any error as one line: `CODE: message` for the protocol's (and the chain's) coded errors. */
export function describeError(e: unknown): string {
  if (isProtocolError(e)) return `${e.code}: ${e.message}`
  return e instanceof Error ? e.message : String(e)
}
