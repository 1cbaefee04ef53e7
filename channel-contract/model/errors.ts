// Contract rejections: core's ProtocolError with the contract's own stable codes. The node returns
// the code, the client and the UI show it, tests assert on it.
import { ProtocolError } from '../../core/errors.ts'

export type ContractErrorCode =
  | 'INVALID_FIELD'
  | 'INVALID_AMOUNT'
  | 'WRONG_CONTRACT'
  | 'BAD_SIGNATURE'
  | 'BAD_NONCE'
  | 'NOT_A_PARTY'
  | 'NOT_FULLY_SIGNED'
  | 'WRONG_CHANNEL'
  | 'UNKNOWN_CHANNEL'
  | 'CHANNEL_EXISTS'
  | 'INSUFFICIENT_FUNDS'
  | 'NOT_OPENING_STATE'
  | 'INVALID_STATE'
  | 'STALE_VERSION'
  | 'NOT_FINAL'
  | 'OPEN_POSITIONS'
  | 'NOT_DISPUTED'
  | 'CHALLENGE_ACTIVE'
  | 'DEADLINE_PASSED'
  | 'ALREADY_FINALIZED'
  | 'UNKNOWN_POSITION'
  | 'NOT_EXPIRED'
  | 'FALLBACK_NOT_REACHED'
  | 'ATTESTATION_MISMATCH'
  /** On chain: the token refused a transfer (the sender lacks the tokens or the allowance). */
  | 'TOKEN_TRANSFER_FAILED'

export class ContractError extends ProtocolError<ContractErrorCode> {}

export function isContractError(e: unknown): e is ContractError {
  return e instanceof ContractError
}
