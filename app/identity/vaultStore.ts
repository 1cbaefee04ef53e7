// The vault blob at rest in IndexedDB. Only the encrypted vault is stored, never the secret key.
import { createStore, get, set, del } from 'idb-keyval'
import { parseVault, type KeyVault } from '../../core/index.ts'
import { config } from '../config.ts'

const store = createStore(`otc-identity-${config.profile}`, 'vault')

export async function loadVault(): Promise<KeyVault | null> {
  const raw = await get<unknown>('vault', store)
  if (raw === undefined) return null
  return parseVault(raw) // stored data is untrusted too: a damaged blob is reported, not used
}

export async function saveVault(vault: KeyVault): Promise<void> {
  await set('vault', vault, store)
}

export async function forgetVault(): Promise<void> {
  await del('vault', store)
}
