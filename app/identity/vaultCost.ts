// The scrypt cost a vault may come with, and the cost the app keeps it at. A backup keeps the cost
// it was made with (core/vault.ts records it in the blob): one made with a tiny cost is quick to
// brute-force wherever its text lies, one with a huge cost makes the tab allocate gigabytes and
// hang while it unlocks. So a backup is restored only with a cost within these bounds, checked
// before scrypt runs, and what the app stores is re-encrypted under its own cost
// (DEFAULT_VAULT_COST) once the passphrase opened it: a restored backup at once, a vault an earlier
// version stored (a restore before these bounds) at its next unlock. Every backup this app made is
// within them: its cost has always been logN 16, r 8, p 1 (64 MiB).
import { DEFAULT_VAULT_COST, lockKey, unlockKey, type KeyPair, type KeyVault } from '../../core/index.ts'
import { IdentityError } from './identityError.ts'

type VaultCost = Pick<KeyVault, 'logN' | 'r' | 'p'>

const MIB = 2 ** 20
/** scrypt takes 128·2^logN·r bytes. At least 16 MiB, a quarter of the app's: below it GPUs try passphrases cheaply. */
export const MIN_VAULT_MEMORY = 16 * MIB
/** At most 256 MiB, four times the app's: a tab may not be given more, and freezes while it tries. */
export const MAX_VAULT_MEMORY = 256 * MIB
/** scrypt's time grows with 2^logN·r·p: at most four times the app's (2^21), a few seconds in a browser. */
export const MAX_VAULT_WORK = 2 ** 21
/**
 * The key already stored here (an earlier version's restore kept a backup's cost as it came) is
 * refused only where a tab cannot run scrypt at all: above 1 GiB. Below that it unlocks, however
 * slowly, and is re-encrypted under the app's cost: refusing it would lock the trader out of a key
 * whose backup is refused too.
 */
export const MAX_STORED_VAULT_MEMORY = 1024 * MIB

const memoryOf = (c: VaultCost) => 128 * 2 ** c.logN * c.r
const mib = (bytes: number) => `${bytes / MIB} MiB`
const log2 = (n: number) => `2^${Math.log2(n)}`

/**
 * Why a vault's cost is refused, or null. `from`: a backup being restored is held to all the
 * bounds; the vault stored here only to MAX_STORED_VAULT_MEMORY (a cheap or a slow one is unlocked,
 * then re-encrypted).
 */
export function vaultCostRefusal(c: VaultCost, from: 'backup' | 'storage'): IdentityError | null {
  const memory = memoryOf(c)
  const whose = from === 'backup' ? "the backup's" : "the stored key's"
  const asks = `logN ${c.logN} with r ${c.r} asks scrypt for ${mib(memory)} of memory (128·2^logN·r bytes)`
  const cost = { logN: c.logN, r: c.r, p: c.p }
  if (from === 'backup' && memory < MIN_VAULT_MEMORY) {
    return new IdentityError('VAULT_COST_TOO_LOW', `${whose} scrypt cost is too low: ${asks}, and this app accepts at least ${mib(MIN_VAULT_MEMORY)} (2^logN·r ≥ ${log2(MIN_VAULT_MEMORY / 128)}). A backup this cheap lets anyone holding its text try passphrases fast`, cost)
  }
  const maxMemory = from === 'backup' ? MAX_VAULT_MEMORY : MAX_STORED_VAULT_MEMORY
  if (memory > maxMemory) {
    return new IdentityError('VAULT_COST_TOO_HIGH', `${whose} scrypt cost is too high: ${asks}, and this app accepts at most ${mib(maxMemory)} (2^logN·r ≤ ${log2(maxMemory / 128)}). More could hang this tab`, cost)
  }
  const work = 2 ** c.logN * c.r * c.p
  if (from === 'backup' && work > MAX_VAULT_WORK) {
    return new IdentityError('VAULT_COST_TOO_HIGH', `${whose} scrypt cost is too high: logN ${c.logN}, r ${c.r} and p ${c.p} ask scrypt for ${log2(work)} steps (2^logN·r·p), and this app accepts at most ${log2(MAX_VAULT_WORK)}. More could hang this tab`, cost)
  }
  return null
}

const hasAppCost = (c: VaultCost) => c.logN === DEFAULT_VAULT_COST.logN && c.r === DEFAULT_VAULT_COST.r && c.p === DEFAULT_VAULT_COST.p

/**
 * Unlocks `vault` (a backup being restored, or the one stored here) with `passphrase` after checking
 * its cost, and gives it back under the app's cost: the same vault if it has it, else re-encrypted
 * (new salt and nonce, the same passphrase), for the caller to store.
 */
export async function openVault(vault: KeyVault, passphrase: string, from: 'backup' | 'storage'): Promise<{ vault: KeyVault; keys: KeyPair }> {
  const refusal = vaultCostRefusal(vault, from)
  if (refusal) throw refusal
  const keys = await unlockKey(vault, passphrase)
  return { keys, vault: hasAppCost(vault) ? vault : await lockKey(keys, passphrase, DEFAULT_VAULT_COST) }
}
