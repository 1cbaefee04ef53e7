// Errors of the sync layer: the core ProtocolError with a few extra stable codes.
import { ProtocolError, type ErrorCode } from '../errors.ts'

export type SyncErrorCode =
  | ErrorCode
  | 'QUOTE_CANCELLED'
  | 'REQUEST_FILLED'
  | 'NO_SUCH_QUOTE'
  | 'OWN_QUOTE'
  | 'NOT_OPEN'
  | 'ALREADY_SIGNED_VERSION'
  | 'SESSION_CLOSED'
  | 'CHANNEL_ENDED'
  | 'INVITE_INVALID'
  | 'ROOM_CONFIG'
  | 'BAD_SIGNER'

export class SyncError extends ProtocolError {
  constructor(code: SyncErrorCode, message: string, details: Record<string, unknown> = {}) {
    // The core union lists the protocol's codes; these extend it for the sync layer only.
    super(code as ErrorCode, message, details)
  }
  get syncCode(): SyncErrorCode {
    return this.code
  }
}
