import { describe, expect, it } from 'vitest'
import { exportVault, importVault, lockKey, unlockKey, parseVault } from './vault.ts'
import { generateKeyPair } from './identity.ts'
import { ProtocolError, ParseError } from './errors.ts'

const cheap = { logN: 10, r: 8, p: 1 } // tests only; the default is logN 16
const codeOf = async (p: Promise<unknown>) => p.then(() => 'OK', (e: unknown) => (e instanceof ProtocolError ? e.code : String(e)))

describe('key vault', () => {
  const keys = generateKeyPair()
  it('round-trips through lock, export, import and unlock', async () => {
    const vault = await lockKey(keys, 'correct horse battery', cheap)
    expect(JSON.stringify(vault)).not.toContain(keys.secretKey)
    const text = exportVault(vault)
    expect(text.startsWith('otc-vault-v1:')).toBe(true)
    expect(await unlockKey(importVault(text), 'correct horse battery')).toEqual(keys)
  })
  it('a wrong passphrase is a clear error', async () => {
    const vault = await lockKey(keys, 'correct horse battery', cheap)
    expect(await codeOf(unlockKey(vault, 'wrong horse battery'))).toBe('VAULT_WRONG_PASSPHRASE')
  })
  it('a tampered box is refused like a wrong passphrase', async () => {
    const vault = await lockKey(keys, 'correct horse battery', cheap)
    const flipped = vault.box.slice(0, -1) + (vault.box.endsWith('0') ? '1' : '0')
    expect(await codeOf(unlockKey({ ...vault, box: flipped }, 'correct horse battery'))).toBe('VAULT_WRONG_PASSPHRASE')
  })
  it('a vault naming another public key is corrupt', async () => {
    const vault = await lockKey(keys, 'correct horse battery', cheap)
    expect(await codeOf(unlockKey({ ...vault, publicKey: generateKeyPair().publicKey }, 'correct horse battery'))).toBe('VAULT_CORRUPT')
  })
  it('short passphrases are refused', async () => {
    await expect(lockKey(keys, 'short', cheap)).rejects.toThrow(/passphrase: must be at least 8/)
  })
  it('damaged or hostile backups name what is wrong', () => {
    expect(() => importVault('hello')).toThrow(/backup: expected text starting with otc-vault-v1:/)
    expect(() => importVault('otc-vault-v1:!!!')).toThrow(/damaged/)
    const hostile = { v: 1, kdf: 'scrypt', logN: 4, r: 8, p: 1, salt: '00'.repeat(16), nonce: '00'.repeat(24), box: '00'.repeat(48), publicKey: '00'.repeat(32) }
    expect(() => parseVault(hostile)).toThrow(ParseError)
    expect(() => parseVault(hostile)).toThrow(/vault.logN: scrypt cost too low/)
    expect(() => parseVault({ ...hostile, logN: 30 })).toThrow(/vault.logN: scrypt cost too high/)
  })
})
