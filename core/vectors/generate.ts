// Regenerates vectors/encoding.json. Run only for a deliberate, versioned encoding change:
//   npx tsx core/vectors/generate.ts
import { writeFileSync } from 'node:fs'
import { bytesToHex } from '../bytes.ts'
import { taggedHash } from '../encoding.ts'
import { signBytes } from '../identity.ts'
import { testKey } from '../testkit.ts'
import { vectorObjects } from './objects.ts'

const signer = testKey('alice')
const vectors = vectorObjects().map((v) => {
  const digest = taggedHash(v.tag, v.bytes)
  return { name: v.name, tag: v.tag, bytes: bytesToHex(v.bytes), hash: bytesToHex(digest), signatureByAlice: signBytes(digest, signer.secretKey) }
})
writeFileSync(new URL('./encoding.json', import.meta.url), JSON.stringify({ signer: signer.publicKey, vectors }, null, 2) + '\n')
console.log(`wrote ${vectors.length} vectors`)
