// Hex is the text form of every key, hash and signature that crosses a boundary.
import { bytesToHex, hexToBytes, utf8ToBytes, concatBytes } from '@noble/hashes/utils.js'
import { ParseError } from './errors.ts'

export { bytesToHex, hexToBytes, utf8ToBytes, concatBytes }

/** Lowercase hex of exactly `bytes` bytes. */
export type Hex = string

const HEX = /^[0-9a-f]*$/

export function isHex(value: unknown, bytes: number): value is Hex {
  return typeof value === 'string' && value.length === bytes * 2 && HEX.test(value)
}

export function parseHex(value: unknown, bytes: number, field: string): Hex {
  if (typeof value !== 'string') throw new ParseError(field, `expected ${bytes}-byte lowercase hex string`)
  if (!isHex(value, bytes)) throw new ParseError(field, `expected ${bytes * 2} lowercase hex characters`)
  return value
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}
