import { describe, expect, it } from 'vitest'
import { fingerprint, generateKeyPair, lockKey } from '../../core/index.ts'
import { replacesAnotherKey } from './useIdentity.ts'

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
    expect(replacesAnotherKey({ status: 'damaged', reason: { text: 'corrupt', code: 'VAULT_CORRUPT' } }, { publicKey: other.publicKey })).toBeNull()
  })
})
