// The identity's own refusals, beside core's vault errors (VaultError): a stable code the tests
// assert on and failure.ts shows in the tooltip, and a sentence saying what is wrong.
import { ProtocolError } from '../../core/index.ts'

export type IdentityErrorCode =
  /** Something asked for the key of an identity that is not unlocked in this page. */
  'IDENTITY_LOCKED'

export class IdentityError extends ProtocolError<IdentityErrorCode> {}
