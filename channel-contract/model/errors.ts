// The model's rejections: core's ProtocolError with the contract's stable codes (the Solidity
// adjudicator's custom errors have the same names); the differential test compares them.
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
  | 'AUTHORIZATION_EXPIRED'
  /** On chain: the token refused a transfer (the sender lacks the tokens or the allowance). */
  | 'TOKEN_TRANSFER_FAILED'

export class ContractError extends ProtocolError<ContractErrorCode> {}

export function isContractError(e: unknown): e is ContractError {
  return e instanceof ContractError
}
