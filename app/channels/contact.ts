// A trader's contact: the ed25519 public key that signs channel states and the EVM address that
// holds its collateral on chain, written `<64 hex>@0x<40 hex>`. Both go into the channel's params,
// so the co-signed opening state binds them together; the counterparty compares the key's
// fingerprint out of band as before, and the accepter checks that the address is its own.
import { isValidPublicKey, type AddressHex, type PublicKeyHex } from '../../core/index.ts'

export interface Contact {
  readonly publicKey: PublicKeyHex
  readonly evm: AddressHex
}

export function formatContact(c: Contact): string {
  return `${c.publicKey}@0x${c.evm}`
}

/** Parses a contact; the error names what is wrong. */
export function parseContact(text: string): Contact {
  const t = text.trim().toLowerCase()
  const m = /^([0-9a-f]+)\s*[@\s]\s*(?:0x)?([0-9a-f]*)$/.exec(t)
  if (!m) {
    if (isValidPublicKey(t)) throw new Error('contact: the EVM address is missing; ask for the whole contact (public key@0x address)')
    throw new Error('contact: expected the public key (64 hex characters), "@", then the EVM address (0x and 40 hex characters)')
  }
  const [, key, evm] = m
  if (!isValidPublicKey(key!)) throw new Error('contact: the public key is not a valid ed25519 key (64 hex characters)')
  if (!/^[0-9a-f]{40}$/.test(evm!)) throw new Error('contact: the EVM address must be 0x and 40 hex characters')
  if (/^0{40}$/.test(evm!)) throw new Error('contact: the EVM address is the zero address')
  return { publicKey: key!, evm: evm! }
}
