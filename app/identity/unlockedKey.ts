// The key pair of the identity unlocked in this page, for what needs it outside the components
// given it: the channel list seals and opens its records' secrets with it and derives each
// channel's room secret (channels/channelRecords.ts), while the workspace hands the list only the
// owner's public key. useIdentity sets it when it unlocks (create, unlock, restore) and clears it
// when it locks, forgets or unmounts, so the key is in this page's memory exactly while the
// identity is unlocked, as it was before.
import { fingerprint, type KeyPair, type PublicKeyHex } from '../../core/index.ts'
import { IdentityError } from './identityError.ts'

let unlocked: KeyPair | null = null

export function setUnlockedKey(keys: KeyPair | null): void {
  unlocked = keys
}

/** The key pair of identity `publicKey`, unlocked in this page; refuses (IDENTITY_LOCKED) while it is not. */
export function unlockedKeyOf(publicKey: PublicKeyHex): KeyPair {
  if (unlocked === null || unlocked.publicKey !== publicKey) {
    throw new IdentityError('IDENTITY_LOCKED', `the identity ${fingerprint(publicKey)} is not unlocked in this page: unlock it to read its channels`)
  }
  return unlocked
}
