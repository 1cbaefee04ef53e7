// What the app stored and cannot read is never dropped: it is shown as JSON text the trader can save
// (`jsonText`), and a store kept aside is kept under a key named by its content (`unreadKey`: the
// same text always to the same key, two different ones never to one).
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '../core/index.ts'

/** A stored value as JSON text (a bigint as its digits; what JSON cannot hold, as the runtime prints it). Never throws. */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) ?? String(value)
  } catch {
    return String(value)
  }
}

/** `<prefix>unread-<the first 16 hex digits of the text's sha256>`: where unreadable `text` is kept. */
export function unreadKey(prefix: string, text: string): string {
  return `${prefix}unread-${bytesToHex(sha256(utf8ToBytes(text))).slice(0, 16)}`
}
