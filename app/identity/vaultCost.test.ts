// A backup keeps the scrypt cost it was made with: restoring refuses a cost out of bounds (naming
// the parameter and the bound, before scrypt runs) and stores the key re-encrypted under the app's
// own cost; a vault stored under another cost is re-encrypted at its next unlock.
import { describe, expect, it } from 'vitest'
import { DEFAULT_VAULT_COST, exportVault, generateKeyPair, isProtocolError, lockKey, unlockKey, type KeyVault } from '../../core/index.ts'
import { identityFailure, restoredIdentity } from './useIdentity.ts'
import { openVault, vaultCostRefusal } from './vaultCost.ts'

const PASS = 'correct horse battery staple'
const keys = generateKeyPair()
const none = { status: 'none' } as const
/** The refusal's code and message, or 'OK'. */
const outcome = (p: Promise<unknown>) => p.then(() => 'OK', (e: unknown) => (isProtocolError(e) ? `${e.code}: ${e.message}` : String(e)))
/** A vault claiming another cost (its box then opens with nothing: only the cost check can answer first). */
const claiming = (v: KeyVault, cost: Pick<KeyVault, 'logN' | 'r' | 'p'>) => exportVault({ ...v, ...cost })

describe('restoring a backup: its scrypt cost', () => {
  it('refuses a cost below the bound, naming the parameters and the bound, before running scrypt', async () => {
    // Neither can be opened (a wrong passphrase; a box made under another cost than it claims): a
    // refusal after scrypt would be VAULT_WRONG_PASSPHRASE, so only the check before it answers this.
    const v = await lockKey(keys, PASS, { logN: 10, r: 8, p: 1 })
    const refused = await outcome(restoredIdentity(none, exportVault(v), 'wrong horse battery staple', false))
    expect(refused).toBe("VAULT_COST_TOO_LOW: the backup's scrypt cost is too low: logN 10 with r 8 asks scrypt for 1 MiB of memory (128·2^logN·r bytes), and this app accepts at least 16 MiB (2^logN·r ≥ 2^17). A backup this cheap lets anyone holding its text try passphrases fast")
    expect(await outcome(restoredIdentity(none, claiming(v, { logN: 14, r: 1, p: 1 }), PASS, false))).toMatch(/^VAULT_COST_TOO_LOW: .*logN 14 with r 1 asks scrypt for 2 MiB/)
  })

  it('refuses a cost above the bounds (memory, or time through p) without running scrypt', async () => {
    const v = await lockKey(keys, PASS, { logN: 10, r: 8, p: 1 })
    const started = Date.now()
    expect(await outcome(restoredIdentity(none, claiming(v, { logN: 19, r: 32, p: 1 }), PASS, false)))
      .toBe("VAULT_COST_TOO_HIGH: the backup's scrypt cost is too high: logN 19 with r 32 asks scrypt for 2048 MiB of memory (128·2^logN·r bytes), and this app accepts at most 256 MiB (2^logN·r ≤ 2^21). More could hang this tab")
    expect(await outcome(restoredIdentity(none, claiming(v, { logN: 17, r: 8, p: 4 }), PASS, false)))
      .toBe("VAULT_COST_TOO_HIGH: the backup's scrypt cost is too high: logN 17, r 8 and p 4 ask scrypt for 2^22 steps (2^logN·r·p), and this app accepts at most 2^21. More could hang this tab")
    expect(Date.now() - started, 'scrypt did not run').toBeLessThan(1_000)
  })

  it('the screen says what to do about it', async () => {
    const cheap = exportVault(await lockKey(keys, PASS, { logN: 10, r: 8, p: 1 }))
    const f = await restoredIdentity(none, cheap, PASS, false).then(() => null, identityFailure)
    expect(f?.code).toBe('VAULT_COST_TOO_LOW')
    expect(f?.text).toMatch(/try passphrases fast\. Restore from a backup this app exported \(it uses logN 16, r 8, p 1\)\.$/)
  })

  it("a backup within the bounds is unlocked and comes back re-encrypted under the app's cost, the same passphrase opening it", async () => {
    const backup = await lockKey(keys, PASS, { logN: 14, r: 8, p: 1 })
    const { vault, keys: restored } = await restoredIdentity(none, exportVault(backup), PASS, false)
    expect(restored).toEqual(keys)
    expect({ logN: vault.logN, r: vault.r, p: vault.p }).toEqual(DEFAULT_VAULT_COST)
    expect(vault.salt).not.toBe(backup.salt)
    expect(await unlockKey(vault, PASS)).toEqual(keys)
    expect(await outcome(restoredIdentity(none, exportVault(backup), 'wrong horse battery staple', false))).toMatch(/^VAULT_WRONG_PASSPHRASE/)
  })

  it("a backup at the app's cost is kept as it is", async () => {
    const backup = await lockKey(keys, PASS)
    expect((await restoredIdentity(none, exportVault(backup), PASS, false)).vault).toEqual(backup)
  })
})

describe('unlocking the vault stored here', () => {
  it("one an earlier version stored under a cheap cost is unlocked, and re-encrypted under the app's cost", async () => {
    const stored = await lockKey(keys, PASS, { logN: 10, r: 8, p: 1 })
    const { vault, keys: unlocked } = await openVault(stored, PASS, 'storage')
    expect(unlocked).toEqual(keys)
    expect({ logN: vault.logN, r: vault.r, p: vault.p }).toEqual(DEFAULT_VAULT_COST)
    expect(await unlockKey(vault, PASS)).toEqual(keys)
  })

  it('one above the bounds is refused without running scrypt', async () => {
    const v = await lockKey(keys, PASS, { logN: 10, r: 8, p: 1 })
    expect(await outcome(openVault({ ...v, logN: 20, r: 16 }, PASS, 'storage'))).toMatch(/^VAULT_COST_TOO_HIGH: the stored key's scrypt cost is too high: logN 20 with r 16 asks scrypt for 2048 MiB/)
  })

  it('one an earlier version stored above a backup\'s bounds but within what a tab can run is not refused (it unlocks, then is re-encrypted)', () => {
    // 512 MiB and 2^22 steps: a backup with this cost is refused, the key already stored is not.
    const slow = { logN: 18, r: 16, p: 1 }
    expect(vaultCostRefusal(slow, 'backup')?.code).toBe('VAULT_COST_TOO_HIGH')
    expect(vaultCostRefusal(slow, 'storage')).toBeNull()
    expect(vaultCostRefusal({ logN: 20, r: 8, p: 4 }, 'storage')).toBeNull() // 1 GiB, 2^25 steps: slow, not refused
  })
})
