// The vault at rest: an unreadable one is kept aside unchanged before anything can be written over it.
import 'fake-indexeddb/auto'
import { createStore, get, set } from 'idb-keyval'
import { describe, expect, it } from 'vitest'
import { generateKeyPair, lockKey } from '../../core/index.ts'
import { config } from '../config.ts'
import { loadVault, saveVault } from './vaultStore.ts'

const store = createStore(`otc-identity-${config.profile}`, 'vault')

describe('the stored vault', () => {
  it('reads back what was saved; none reads as none', async () => {
    expect(await loadVault()).toEqual({ status: 'none' })
    const vault = await lockKey(generateKeyPair(), 'correct horse battery staple')
    await saveVault(vault)
    expect(await loadVault()).toEqual({ status: 'vault', vault })
  })

  it('an unreadable vault is kept aside unchanged, once, and a new key saved afterwards leaves it there', async () => {
    const good = await lockKey(generateKeyPair(), 'correct horse battery staple')
    const damaged = { ...good, hint: 'an extra field this version does not know' }
    await set('vault', damaged, store)
    const first = await loadVault()
    expect(first).toMatchObject({ status: 'unreadable', raw: damaged, keptAs: expect.stringMatching(/^unread-[0-9a-f]{16}$/) })
    if (first.status !== 'unreadable') throw new Error('unreachable')
    expect(first.reason.text).toMatch(/hint/)
    expect(await get(first.keptAs!, store), 'the copy, unchanged').toEqual(damaged)
    // Read again (a reload): the same key, nothing new written.
    expect(await loadVault()).toMatchObject({ status: 'unreadable', keptAs: first.keptAs })
    // The trader creates a new key: the unreadable one stays where it was kept.
    const fresh = await lockKey(generateKeyPair(), 'another strong passphrase here')
    await saveVault(fresh)
    expect(await loadVault()).toEqual({ status: 'vault', vault: fresh })
    expect(await get(first.keptAs!, store)).toEqual(damaged)
    // Another unreadable blob is kept under a key of its own.
    await set('vault', 'not a vault at all', store)
    const second = await loadVault()
    expect(second).toMatchObject({ status: 'unreadable', raw: 'not a vault at all' })
    expect(second.status === 'unreadable' && second.keptAs).not.toBe(first.keptAs)
    expect(await get(first.keptAs!, store)).toEqual(damaged)
  })
})
