// The key vault: a secret key encrypted at rest under a passphrase.
// KDF: scrypt (memory-hard, @noble/hashes) -> 32-byte key; cipher: tweetnacl secretbox
// (XSalsa20-Poly1305). The blob records its KDF parameters so it can be opened anywhere, and the
// public key in clear so the app can show whose vault it is before unlocking.
import nacl from 'tweetnacl'
import { scryptAsync } from '@noble/hashes/scrypt.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { z } from './zod.ts'
import { bytesToHex, hexToBytes, utf8ToBytes } from './bytes.ts'
import { VaultError, ParseError } from './errors.ts'
import { keyPairFromSecret, type KeyPair, type PublicKeyHex } from './identity.ts'
import { parseWith } from './wire.ts'

export interface KeyVault {
  readonly v: 1
  readonly kdf: 'scrypt'
  /** scrypt cost: log2(N), r, p. */
  readonly logN: number
  readonly r: number
  readonly p: number
  readonly salt: string
  readonly nonce: string
  readonly box: string
  readonly publicKey: PublicKeyHex
}

/** Default cost: N = 2^16, r = 8 (64 MiB, ~0.3-1 s in a browser). Tests may lower it. */
export const DEFAULT_VAULT_COST = { logN: 16, r: 8, p: 1 } as const
export const VAULT_EXPORT_PREFIX = 'otc-vault-v1:'

const vaultSchema = z.strictObject({
  v: z.literal(1, { error: 'unsupported vault version' }),
  kdf: z.literal('scrypt', { error: 'unsupported key derivation' }),
  logN: z.number().check(z.int(), z.gte(10, 'scrypt cost too low (logN < 10)'), z.lte(20, 'scrypt cost too high (logN > 20)')),
  r: z.number().check(z.int(), z.gte(1), z.lte(32)),
  p: z.number().check(z.int(), z.gte(1), z.lte(4)),
  salt: z.string().check(z.regex(/^[0-9a-f]{32}$/, 'expected 16 bytes of hex')),
  nonce: z.string().check(z.regex(/^[0-9a-f]{48}$/, 'expected 24 bytes of hex')),
  box: z.string().check(z.regex(/^[0-9a-f]{96}$/, 'expected 48 bytes of hex (32-byte key + 16-byte tag)')),
  publicKey: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters')),
})

async function deriveKey(passphrase: string, salt: Uint8Array, cost: { logN: number; r: number; p: number }): Promise<Uint8Array> {
  return scryptAsync(utf8ToBytes(passphrase.normalize('NFKC')), salt, { N: 2 ** cost.logN, r: cost.r, p: cost.p, dkLen: 32 })
}

export async function lockKey(
  keys: KeyPair,
  passphrase: string,
  cost: { logN: number; r: number; p: number } = DEFAULT_VAULT_COST,
): Promise<KeyVault> {
  if (passphrase.length < 8) throw new ParseError('passphrase', 'must be at least 8 characters')
  const salt = randomBytes(16)
  const nonce = randomBytes(24)
  const key = await deriveKey(passphrase, salt, cost)
  const box = nacl.secretbox(hexToBytes(keys.secretKey), nonce, key)
  return { v: 1, kdf: 'scrypt', ...cost, salt: bytesToHex(salt), nonce: bytesToHex(nonce), box: bytesToHex(box), publicKey: keys.publicKey }
}

export async function unlockKey(vault: KeyVault, passphrase: string): Promise<KeyPair> {
  const key = await deriveKey(passphrase, hexToBytes(vault.salt), vault)
  const secret = nacl.secretbox.open(hexToBytes(vault.box), hexToBytes(vault.nonce), key)
  if (!secret) throw new VaultError('VAULT_WRONG_PASSPHRASE', 'wrong passphrase (or the vault was altered)')
  const pair = keyPairFromSecret(bytesToHex(secret))
  if (pair.publicKey !== vault.publicKey) throw new VaultError('VAULT_CORRUPT', 'the vault decrypts to a key other than the one it names')
  return pair
}

/** A single line of text for backup: prefix + base64url(JSON). */
export function exportVault(vault: KeyVault): string {
  const json = JSON.stringify(vault)
  const b64 = btoa(json).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  return VAULT_EXPORT_PREFIX + b64
}

export function importVault(text: string): KeyVault {
  const t = text.trim()
  if (!t.startsWith(VAULT_EXPORT_PREFIX)) throw new ParseError('backup', `expected text starting with ${VAULT_EXPORT_PREFIX}`)
  let json: unknown
  try {
    const b64 = t.slice(VAULT_EXPORT_PREFIX.length).replace(/-/g, '+').replace(/_/g, '/')
    json = JSON.parse(atob(b64))
  } catch {
    throw new ParseError('backup', 'the backup text is damaged (not base64 JSON)')
  }
  return parseVault(json)
}

export function parseVault(input: unknown): KeyVault {
  return parseWith(vaultSchema, input, 'vault') as KeyVault
}
