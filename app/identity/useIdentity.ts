// The trader's identity: the vault in storage, locked or unlocked. The unlocked key lives only in
// memory for this page; reloading asks for the passphrase again.
import { useCallback, useEffect, useState } from 'react'
import {
  exportVault, fingerprint, generateKeyPair, importVault, lockKey, unlockKey, type KeyPair, type KeyVault,
} from '../../core/index.ts'
import { failureOf, type Failure } from '../failure.ts'
import { setUnlockedKey } from './unlockedKey.ts'
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

export type IdentityState =
  | { status: 'loading' }
  | { status: 'none' }
  | { status: 'locked'; vault: KeyVault }
  | { status: 'unlocked'; vault: KeyVault; keys: KeyPair }
  | { status: 'damaged'; reason: Failure }

export interface Identity {
  state: IdentityState
  busy: boolean
  error: Failure | null
  create(passphrase: string): Promise<void>
  unlock(passphrase: string): Promise<void>
  /** `replace`: the trader agreed that a backup of another key replaces the one stored here (`replacesAnotherKey`). */
  importBackup(text: string, passphrase: string, replace?: boolean): Promise<void>
  lock(): void
  exportBackup(): string | null
  forget(): Promise<void>
}

/** What to do about the vault's refusals (core says what is wrong; the code goes to the tooltip, failure.ts). */
const VAULT_HINTS: Readonly<Record<string, string>> = {
  VAULT_WRONG_PASSPHRASE: 'Check the passphrase (it is case-sensitive) and try again, or restore from a backup whose passphrase you have.',
  VAULT_CORRUPT: 'Restore your key from a backup.',
  INVALID_FIELD: 'Check what you entered and try again.',
}

/** A vault error as the identity screen says it. */
export function identityFailure(e: unknown): Failure {
  return failureOf(e, VAULT_HINTS)
}

export function useIdentity(): Identity {
  const [state, setIdentityState] = useState<IdentityState>({ status: 'loading' })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<Failure | null>(null)
  // The unlocked key goes to unlockedKey.ts in the same step as into the state, so the workspace
  // that this state shows finds it there; locking (or leaving) takes it away from both.
  const setState = useCallback((next: IdentityState) => {
    setUnlockedKey(next.status === 'unlocked' ? next.keys : null)
    setIdentityState(next)
  }, [])
  useEffect(() => () => setUnlockedKey(null), [])

  useEffect(() => {
    let live = true
    loadVault().then(
      (vault) => live && setState(vault ? { status: 'locked', vault } : { status: 'none' }),
      (e) => live && setState({ status: 'damaged', reason: failureOf(e) }),
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

  const create = (passphrase: string) =>
    run(async () => {
      const keys = generateKeyPair()
      const vault = await lockKey(keys, passphrase)
      await saveVault(vault)
      setState({ status: 'unlocked', vault, keys })
    })

  const unlock = (passphrase: string) =>
    run(async () => {
      if (state.status !== 'locked') return
      const keys = await unlockKey(state.vault, passphrase)
      setState({ status: 'unlocked', vault: state.vault, keys })
    })

  const importBackup = (text: string, passphrase: string, replace = false) =>
    run(async () => {
      const vault = importVault(text)
      const other = replacesAnotherKey(state, vault)
      if (other && !replace) throw new Error(other)
      const keys = await unlockKey(vault, passphrase) // prove the passphrase before replacing anything
      await saveVault(vault)
      setState({ status: 'unlocked', vault, keys })
    })

  const lock = () => {
    if (state.status === 'unlocked') setState({ status: 'locked', vault: state.vault })
  }

  const exportBackup = () => (state.status === 'unlocked' || state.status === 'locked' ? exportVault(state.vault) : null)

  const forget = () =>
    run(async () => {
      await forgetVault()
      setState({ status: 'none' })
    })

  return { state, busy, error, create, unlock, importBackup, lock, exportBackup, forget }
}
