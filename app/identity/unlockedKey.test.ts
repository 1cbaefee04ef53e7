import { afterEach, expect, it } from 'vitest'
import { fingerprint, generateKeyPair, isProtocolError } from '../../core/index.ts'
import { setUnlockedKey, unlockedKeyOf } from './unlockedKey.ts'

afterEach(() => setUnlockedKey(null))

it("gives the unlocked identity's key only, and says so in words while that identity is locked", () => {
  const mine = generateKeyPair()
  const other = generateKeyPair()
  const locked = () => {
    try {
      unlockedKeyOf(mine.publicKey)
      return null
    } catch (e) {
      return isProtocolError(e) ? [e.code, e.message] : e
    }
  }
  const refusal = ['IDENTITY_LOCKED', `the identity ${fingerprint(mine.publicKey)} is not unlocked in this page: unlock it to read its channels`]
  expect(locked()).toEqual(refusal)
  setUnlockedKey(other)
  expect(locked(), "another identity's key is not this one's").toEqual(refusal)
  setUnlockedKey(mine)
  expect(unlockedKeyOf(mine.publicKey)).toBe(mine)
  setUnlockedKey(null)
  expect(locked()).toEqual(refusal)
})
