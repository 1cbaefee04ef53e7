// The bot's signing key: generated on first start, then read from <data>/identity.json.
// A dev bot: the secret key is stored UNENCRYPTED (file mode 0600). Never use it for real funds.
import { join } from 'node:path'
import { z } from 'zod'
import { generateKeyPair, keyPairFromSecret, type KeyPair, hex32Schema } from '../core/index.ts'
import { DemoError } from './errors.ts'
import { readJsonFile, writeFileAtomic } from './files.ts'

const hex64 = hex32Schema
const identitySchema = z.strictObject({ v: z.literal(1), publicKey: hex64, secretKey: hex64 })

/** Loads the key from `dir`, or creates and stores a new one. A damaged file is refused, never replaced. */
export async function loadOrCreateIdentity(dir: string): Promise<{ keys: KeyPair; created: boolean }> {
  const path = join(dir, 'identity.json')
  const json = await readJsonFile(path, ': move it away to start with a new key')
  if (json === null) {
    const keys = generateKeyPair()
    await writeFileAtomic(path, JSON.stringify({ v: 1, publicKey: keys.publicKey, secretKey: keys.secretKey }) + '\n')
    return { keys, created: true }
  }
  const r = identitySchema.safeParse(json)
  if (!r.success) throw new DemoError('DATA_CORRUPT', `${path}: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`)
  const keys = keyPairFromSecret(r.data.secretKey)
  if (keys.publicKey !== r.data.publicKey) throw new DemoError('DATA_CORRUPT', `${path}: the public key does not belong to the secret key`)
  return { keys, created: false }
}
