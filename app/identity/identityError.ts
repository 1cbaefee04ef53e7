// The identity's own refusals, beside core's vault errors (VaultError): a stable code the tests
// assert on and failure.ts shows in the tooltip, and a sentence saying what is wrong.
import { ProtocolError } from '../../core/index.ts'

export type IdentityErrorCode =
  /** A backup's scrypt cost is below what the app accepts (quick to brute-force): vaultCost.ts. */
  | 'VAULT_COST_TOO_LOW'
  /** A vault's scrypt cost is above what the app runs (it could hang the tab): vaultCost.ts. */
  | 'VAULT_COST_TOO_HIGH'
  /** A new passphrase is too easy to guess (passphraseStrength.ts). */
  | 'PASSPHRASE_WEAK'

export class IdentityError extends ProtocolError<IdentityErrorCode> {}
