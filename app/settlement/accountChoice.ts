// Which EVM account signs for the trader: the key derived from the identity (the vault's) or the
// browser wallet, with the wallet's account when it was chosen. Kept in localStorage per profile,
// identity and chain (`otc-evm-account-<profile>-<identity public key>-<chain id>`), so a reload
// signs with the account the trader chose, never silently with the other one. Read back through a
// strict schema; a record that is there but cannot be read is said as such (`unreadable`), not
// taken as the identity's key: the trader chooses again. No storage (denied, full) keeps nothing
// and throws nothing: `save` says so, so the screen can tell that a reload signs with the
// identity's key again.
import { z } from '../../core/zod.ts'
import { tryParse, type AddressHex, type Hex } from '../../core/index.ts'
import { config } from '../config.ts'

export type AccountChoice = { readonly kind: 'vault' } | { readonly kind: 'injected'; readonly address: AddressHex }

/** What a load finds: a choice, none (the identity's key by default), or a record it could not read (why). */
export type KeptAccountChoice = AccountChoice | { readonly kind: 'unreadable'; readonly reason: string } | null

export interface AccountChoiceStore {
  load(): KeptAccountChoice
  /** Whether it was kept (false: no storage, or a full or denied one; the choice then holds for this page only). */
  save(choice: AccountChoice): boolean
}

const choiceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ v: z.literal(1), kind: z.literal('vault') }),
  z.strictObject({ v: z.literal(1), kind: z.literal('injected'), address: z.string().check(z.regex(/^[0-9a-f]{40}$/)) }),
])

export function accountChoiceKey(identity: Hex, chainId: number, profile: string = config.profile): string {
  return `otc-evm-account-${profile}-${identity}-${chainId}`
}

/** The choice of `identity` (its ed25519 public key) on chain `chainId`, kept in `storage`. */
export function accountChoiceStore(identity: Hex, chainId: number, storage: Pick<Storage, 'getItem' | 'setItem'> | null = globalThis.localStorage ?? null): AccountChoiceStore {
  const key = accountChoiceKey(identity, chainId)
  return {
    load() {
      let raw: string | null
      try {
        raw = storage?.getItem(key) ?? null
      } catch {
        return null // a denied storage never kept a choice
      }
      if (raw === null) return null
      let json: unknown
      try {
        json = JSON.parse(raw)
      } catch {
        return { kind: 'unreadable', reason: 'account choice: not JSON' }
      }
      const r = tryParse(choiceSchema, json, 'account choice')
      if (!r.ok) return { kind: 'unreadable', reason: r.error.message }
      return r.value.kind === 'vault' ? { kind: 'vault' } : { kind: 'injected', address: r.value.address }
    },
    save(choice) {
      if (storage === null) return false
      try {
        storage.setItem(key, JSON.stringify({ v: 1, ...choice }))
        return true
      } catch {
        return false
      }
    },
  }
}
