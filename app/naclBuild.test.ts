// The production build swaps tweetnacl's nacl-fast.js for its compact nacl.js (vite.config.ts
// compactTweetnacl); Node (the desk, these tests) keeps nacl-fast. A box one seals, the other opens,
// byte for byte: a vault, an invite or a sealed record is readable whichever wrote it.
import { createRequire } from 'node:module'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type nacl from 'tweetnacl'

const require = createRequire(import.meta.url)
const compact = require('tweetnacl/nacl.js') as typeof nacl
const fast = require('tweetnacl/nacl-fast.js') as typeof nacl
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })

describe("tweetnacl's compact build (the bundle's) and nacl-fast (Node's)", () => {
  it("seal the same box and open each other's, for any key, nonce and message", () => {
    fc.assert(fc.property(bytes(32), bytes(24), fc.uint8Array({ maxLength: 2048 }), (key, nonce, message) => {
      const box = compact.secretbox(message, nonce, key)
      expect(fast.secretbox(message, nonce, key)).toEqual(box)
      expect(fast.secretbox.open(box, nonce, key)).toEqual(message)
      expect(compact.secretbox.open(box, nonce, key)).toEqual(message)
    }), { numRuns: 200 })
  })

  it('both refuse a box with a changed byte', () => {
    fc.assert(fc.property(bytes(32), bytes(24), fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), (key, nonce, message, at) => {
      const box = fast.secretbox(message, nonce, key)
      box[at % box.length]! ^= 1
      expect(compact.secretbox.open(box, nonce, key)).toBeNull()
      expect(fast.secretbox.open(box, nonce, key)).toBeNull()
    }), { numRuns: 100 })
  })
})
