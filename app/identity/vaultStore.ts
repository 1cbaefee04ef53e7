// The vault blob at rest in IndexedDB. Only the encrypted vault is stored, never the secret key.
//
// A stored vault the app cannot read is never lost: before the trader can create or restore a key
// over it, `loadVault` copies it, unchanged, to a key of its own (`unread-<hash>`), which nothing
// writes over; the identity screen names it and offers a copy to save. A read that fails (IndexedDB
// itself) throws: nothing may be written then, since the vault may be intact.
import { createStore, get, set, del } from 'idb-keyval'
import { parseVault, type KeyVault } from '../../core/index.ts'
import { config } from '../config.ts'
import { failureOf, type Failure } from '../failure.ts'
import { jsonText, unreadKey } from '../unread.ts'

const store = createStore(`otc-identity-${config.profile}`, 'vault')

export type StoredVault =
  | { readonly status: 'none' }
  | { readonly status: 'vault'; readonly vault: KeyVault }
  /** Stored but not readable as a vault: `reason`, and where it is kept unchanged (`keptAs`, null if that write failed). */
  | { readonly status: 'unreadable'; readonly reason: Failure; readonly raw: unknown; readonly keptAs: string | null }

/** The stored vault; throws when IndexedDB cannot be read (then nothing may be written over it). */
export async function loadVault(): Promise<StoredVault> {
  const raw = await get<unknown>('vault', store)
  if (raw === undefined) return { status: 'none' }
  try {
    return { status: 'vault', vault: parseVault(raw) } // stored data is untrusted too: a damaged blob is reported, not used
  } catch (e) {
    return { status: 'unreadable', reason: failureOf(e), raw, keptAs: await setAside(raw) }
  }
}

/** Copies an unreadable vault to `unread-<hash of its text>` (the same blob always to the same key); its key, or null. */
async function setAside(raw: unknown): Promise<string | null> {
  const key = unreadKey('', jsonText(raw))
  try {
    if ((await get(key, store)) === undefined) await set(key, raw, store)
    return key
  } catch {
    return null
  }
}

export async function saveVault(vault: KeyVault): Promise<void> {
  await set('vault', vault, store)
}

export async function forgetVault(): Promise<void> {
  await del('vault', store)
}
