// The trader's identity: the vault in storage, locked or unlocked. The unlocked key lives only in
// memory for this page; reloading asks for the passphrase again.
import { useCallback, useEffect, useState } from 'react'
import {
  exportVault, fingerprint, generateKeyPair, importVault, lockKey, type KeyPair, type KeyVault,
} from '../../core/index.ts'
import { failureOf, type Failure } from '../failure.ts'
import { assertStrongPassphrase } from './passphraseStrength.ts'
import { openVault } from './vaultCost.ts'
import { forgetVault, loadVault, saveVault } from './vaultStore.ts'

/**
 * Why restoring `incoming` needs the trader's explicit agreement, or null: it holds another key than
 * the one stored here, and the stored key (its channels, its EVM account and the collateral there)
 * is reachable only with it. A damaged vault, or none, is replaced without asking.
 */
export function replacesAnotherKey(stored: IdentityState, incoming: Pick<KeyVault, 'publicKey'>): string | null {
  if (stored.status !== 'locked' && stored.status !== 'unlocked') return null
  if (stored.vault.publicKey === incoming.publicKey) return null
  return `This backup holds another key (${fingerprint(incoming.publicKey)}) than the one stored in this browser (${fingerprint(stored.vault.publicKey)}). Its channels, EVM account and collateral are reachable only with that key: export its backup first if you have none, then tick "Replace the key stored here" to restore this one.`
}

/**
 * The vault to store and the keys, from the backup `text` and its passphrase: refused when it holds
 * another key than the one stored here without the trader's agreement (`replace`), or when its
 * scrypt cost is out of bounds (vaultCost.ts, before scrypt runs); unlocked, which proves the
 * passphrase before anything is replaced; and re-encrypted under the app's cost if it has another.
 */
export async function restoredIdentity(stored: IdentityState, text: string, passphrase: string, replace: boolean): Promise<{ vault: KeyVault; keys: KeyPair }> {
  const backup = importVault(text)
  const other = replacesAnotherKey(stored, backup)
  if (other && !replace) throw new Error(other)
  return openVault(backup, passphrase, 'backup')
}

/**
 * Refuses to write a vault over one that may still hold a key (when IndexedDB could not be read,
 * or an unreadable vault could not be kept aside) unless the trader agreed (`replace`).
 */
export function assertWritable(state: IdentityState, replace: boolean): void {
  if (state.status === 'unavailable' && !replace) throw new Error(`This browser's key storage could not be read (${state.reason.text}), so nothing is written over it: reload the page to try again, or tick "Write over the key storage" to replace what it holds.`)
  if (state.status === 'damaged' && state.keptAs === null && !replace) {
    throw new Error('The unreadable vault stored here could not be kept aside, so a new key would replace it: save a copy of it first, then tick "Replace the unreadable vault".')
  }
}

export type IdentityState =
  | { status: 'loading' }
  | { status: 'none' }
  /** `why`: said on the unlock screen when the app locked itself (auto-lock), not the trader. */
  | { status: 'locked'; vault: KeyVault; why?: string }
  | { status: 'unlocked'; vault: KeyVault; keys: KeyPair }
  /**
   * A stored vault that is not readable as one: why, the blob (to save a copy), and where it is
   * kept unchanged (vaultStore.ts; null if keeping it failed). Create and restore write over the
   * stored vault: while `keptAs` is null they need the trader's agreement (`replaceUnreadable`).
   */
  | { status: 'damaged'; reason: Failure; raw: unknown; keptAs: string | null }
  /** IndexedDB could not be read: the vault may be intact, so nothing is written unless the trader agrees (`replace`); a reload tries again. */
  | { status: 'unavailable'; reason: Failure }

export interface Identity {
  state: IdentityState
  busy: boolean
  error: Failure | null
  /** `replaceUnreadable`: the trader agreed to write over a stored vault the app could not read nor keep aside. */
  create(passphrase: string, replaceUnreadable?: boolean): Promise<void>
  unlock(passphrase: string): Promise<void>
  /** `replace`: the trader agreed that a backup of another key replaces the one stored here (`replacesAnotherKey`). */
  importBackup(text: string, passphrase: string, replace?: boolean): Promise<void>
  /** `why`: when the app locks itself, the reason the unlock screen gives. */
  lock(why?: string): void
  exportBackup(): string | null
  forget(): Promise<void>
}

/** What to do about the vault's refusals (core says what is wrong; the code goes to the tooltip, failure.ts). */
const VAULT_HINTS: Readonly<Record<string, string>> = {
  VAULT_WRONG_PASSPHRASE: 'Check the passphrase (it is case-sensitive) and try again, or restore from a backup whose passphrase you have.',
  VAULT_CORRUPT: 'Restore your key from a backup.',
  INVALID_FIELD: 'Check what you entered and try again.',
  VAULT_COST_TOO_LOW: 'Restore from a backup this app exported (it uses logN 16, r 8, p 1).',
  VAULT_COST_TOO_HIGH: 'Restore from a backup this app exported (it uses logN 16, r 8, p 1).',
}

/** A vault error as the identity screen says it. */
export function identityFailure(e: unknown): Failure {
  return failureOf(e, VAULT_HINTS)
}

export function useIdentity(): Identity {
  const [state, setState] = useState<IdentityState>({ status: 'loading' })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<Failure | null>(null)

  useEffect(() => {
    let live = true
    loadVault().then(
      (stored) => {
        if (!live) return
        if (stored.status === 'vault') setState({ status: 'locked', vault: stored.vault })
        else if (stored.status === 'none') setState({ status: 'none' })
        else setState({ status: 'damaged', reason: stored.reason, raw: stored.raw, keptAs: stored.keptAs })
      },
      (e) => live && setState({ status: 'unavailable', reason: failureOf(e) }),
    )
    return () => {
      live = false
    }
  }, [setState])

  const run = useCallback(async (fn: () => Promise<void>) => {
    setBusy(true)
    setError(null)
    try {
      await fn()
    } catch (e) {
      setError(identityFailure(e))
    } finally {
      setBusy(false)
    }
  }, [])

  const create = (passphrase: string, replaceUnreadable = false) =>
    run(async () => {
      assertWritable(state, replaceUnreadable)
      assertStrongPassphrase(passphrase) // the form says it first; this holds for any caller
      const keys = generateKeyPair()
      const vault = await lockKey(keys, passphrase)
      await saveVault(vault)
      setState({ status: 'unlocked', vault, keys })
    })

  const unlock = (passphrase: string) =>
    run(async () => {
      if (state.status !== 'locked') return
      const { vault, keys } = await openVault(state.vault, passphrase, 'storage')
      if (vault !== state.vault) await saveVault(vault) // stored under another cost by an earlier version
      setState({ status: 'unlocked', vault, keys })
    })

  const importBackup = (text: string, passphrase: string, replace = false) =>
    run(async () => {
      assertWritable(state, replace)
      const { vault, keys } = await restoredIdentity(state, text, passphrase, replace)
      await saveVault(vault)
      setState({ status: 'unlocked', vault, keys })
    })

  // Stable, and by the state at the time it runs (auto-lock calls it from a timer).
  const lock = useCallback((why?: string) => setState((s) => (s.status === 'unlocked' ? { status: 'locked', vault: s.vault, why } : s)), [])

  const exportBackup = () => (state.status === 'unlocked' || state.status === 'locked' ? exportVault(state.vault) : null)

  const forget = () =>
    run(async () => {
      await forgetVault()
      setState({ status: 'none' })
    })

  return { state, busy, error, create, unlock, importBackup, lock, exportBackup, forget }
}
