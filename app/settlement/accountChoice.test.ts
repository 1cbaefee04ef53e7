// The trader's choice of signing account, kept per profile, identity and chain: read back strictly,
// a damaged record said as such (never read as the identity's key), no storage keeping nothing.
import { describe, expect, it } from 'vitest'
import { accountChoiceKey, accountChoiceStore } from './accountChoice.ts'

const ALICE = 'a1'.repeat(32)
const BOB = 'b2'.repeat(32)
const WALLET = 'c3'.repeat(20)

function memory(): Storage & { readonly items: Map<string, string> } {
  const items = new Map<string, string>()
  return {
    items,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
    clear: () => items.clear(),
    key: () => null,
    get length() {
      return items.size
    },
  }
}

describe('accountChoiceStore', () => {
  it('keeps the browser wallet and its account per identity and chain; none kept reads as none', () => {
    const storage = memory()
    const alice1 = accountChoiceStore(ALICE, 1, storage)
    expect(alice1.load()).toBeNull()
    expect(alice1.save({ kind: 'injected', address: WALLET })).toBe(true)
    expect(accountChoiceStore(ALICE, 1, storage).load()).toEqual({ kind: 'injected', address: WALLET })
    expect(accountChoiceStore(ALICE, 8453, storage).load(), 'another chain').toBeNull()
    expect(accountChoiceStore(BOB, 1, storage).load(), 'another identity').toBeNull()
    alice1.save({ kind: 'vault' })
    expect(alice1.load()).toEqual({ kind: 'vault' })
    expect([...storage.items.keys()]).toEqual([accountChoiceKey(ALICE, 1)])
    expect(accountChoiceKey(ALICE, 1, 'desk')).toBe(`otc-evm-account-desk-${ALICE}-1`)
  })

  it('a record it cannot read is unreadable, with the reason naming the field, not the identity\'s key', () => {
    const storage = memory()
    const store = accountChoiceStore(ALICE, 1, storage)
    const put = (raw: string) => storage.setItem(accountChoiceKey(ALICE, 1), raw)
    put('{not json')
    expect(store.load()).toEqual({ kind: 'unreadable', reason: 'account choice: not JSON' })
    put(JSON.stringify({ v: 1, kind: 'injected', address: '0xC3' }))
    expect(store.load()).toMatchObject({ kind: 'unreadable', reason: expect.stringMatching(/^account choice\.address: /) })
    put(JSON.stringify({ v: 2, kind: 'vault' }))
    expect(store.load()).toMatchObject({ kind: 'unreadable', reason: expect.stringMatching(/^account choice/) })
    put(JSON.stringify({ v: 1, kind: 'hardware' }))
    expect(store.load()).toMatchObject({ kind: 'unreadable' })
  })

  it('no storage, or one that refuses: nothing kept, said by save, and load reads none', () => {
    const none = accountChoiceStore(ALICE, 1, null)
    expect(none.save({ kind: 'injected', address: WALLET })).toBe(false)
    expect(none.load()).toBeNull()
    const full = { getItem: () => { throw new Error('SecurityError') }, setItem: () => { throw new Error('QuotaExceededError') } }
    const refusing = accountChoiceStore(ALICE, 1, full)
    expect(refusing.save({ kind: 'injected', address: WALLET })).toBe(false)
    expect(refusing.load()).toBeNull()
  })
})
