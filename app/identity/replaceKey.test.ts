import { describe, expect, it } from 'vitest'
import { fingerprint, generateKeyPair, lockKey } from '../../core/index.ts'
import { assertWritable, replacesAnotherKey } from './useIdentity.ts'

describe('restoring a backup over the key stored in this browser', () => {
  it("another key needs the trader's explicit agreement, naming both; the same key, none, or a damaged vault do not", async () => {
    const mine = generateKeyPair()
    const other = generateKeyPair()
    const stored = await lockKey(mine, 'correct horse battery staple')
    const why = replacesAnotherKey({ status: 'locked', vault: stored }, { publicKey: other.publicKey })
    expect(why).toContain(fingerprint(other.publicKey))
    expect(why).toContain(fingerprint(mine.publicKey))
    expect(why).toMatch(/reachable only with that key: export its backup first/)
    expect(replacesAnotherKey({ status: 'unlocked', vault: stored, keys: mine }, { publicKey: other.publicKey })).not.toBeNull()
    expect(replacesAnotherKey({ status: 'locked', vault: stored }, { publicKey: mine.publicKey })).toBeNull()
    expect(replacesAnotherKey({ status: 'none' }, { publicKey: other.publicKey })).toBeNull()
    expect(replacesAnotherKey({ status: 'damaged', reason: { text: 'corrupt', code: 'VAULT_CORRUPT' }, raw: {}, keptAs: 'unread-00' }, { publicKey: other.publicKey })).toBeNull()
  })

  it('nothing is written over a vault that may hold a key: storage that could not be read, or an unreadable vault not kept aside without agreement', () => {
    const reason = { text: 'boom', code: null }
    expect(() => assertWritable({ status: 'unavailable', reason }, false)).toThrow(/^This browser's key storage could not be read \(boom\), so nothing is written over it: reload the page to try again, or tick "Write over the key storage" to replace what it holds\.$/)
    expect(() => assertWritable({ status: 'unavailable', reason }, true)).not.toThrow()
    expect(() => assertWritable({ status: 'damaged', reason, raw: {}, keptAs: null }, false)).toThrow(/could not be kept aside, so a new key would replace it: save a copy of it first, then tick "Replace the unreadable vault"/)
    expect(() => assertWritable({ status: 'damaged', reason, raw: {}, keptAs: null }, true)).not.toThrow()
    expect(() => assertWritable({ status: 'damaged', reason, raw: {}, keptAs: 'unread-0123' }, false)).not.toThrow()
    expect(() => assertWritable({ status: 'none' }, false)).not.toThrow()
  })
})
