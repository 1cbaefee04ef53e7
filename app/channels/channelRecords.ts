// The channels this trader is part of, kept in IndexedDB: what is needed to rejoin each one
// (params, our side, the agreed deposits, the invite until the peer joins). Stored data is parsed
// on load.
//
// Nothing at rest lets anyone into a channel's room. The room secret is not stored (a
// KeyedMembership, core/sync/membership.ts): it is derived from the trader's key when the list is
// read, which the app does only while the identity is unlocked. The invite code is stored only
// sealed under the trader's key (identity/sealAtRest.ts), and only while it may be shown again: an
// invite the app handed over itself (a demo desk) keeps no code. Records an earlier version wrote
// with the room secret or the code in clear are read as before and written back without them at
// once (`readChannelRecords`' `rewrite`).
import { createStore, get, set } from 'idb-keyval'
import { z } from '../../core/zod.ts'
import { ProtocolError, countOf, hex32Schema, otherParty, partyKey, toWire, type Hex, type KeyPair } from '../../core/index.ts'
import { keyedMembershipSchema, membershipRoomSecret, parseMembership, type ChannelMembership, type KeyedMembership } from '../../core/sync/index.ts'
import { config } from '../config.ts'
import { failureOf } from '../failure.ts'
import { openAtRest, sealAtRest } from '../identity/sealAtRest.ts'

/** A channel membership (core/sync/membership.ts) with what the app adds, as the app holds it while unlocked. */
export interface ChannelRecord extends ChannelMembership {
  /** A name the trader gave the counterparty: this trader's alone (never sent), renamed in the channel list (renamedRecords). */
  readonly label: string
  readonly createdAt: number
  /**
   * For the inviter: the sealed invite and its code, to show again until the peer joins (stored
   * sealed under the trader's key). No code once the app handed the invite over itself.
   */
  readonly invite?: { readonly sealed: string; readonly code?: string }
  /** Set when the app handed the invite over itself (the demo desk's API): nothing to show or tell. */
  readonly inviteDelivered?: true
  /**
   * The demo desk's API the invite was handed to (its URL): a channel abandoned unopened is released
   * there (demoDesk.ts releaseAbandoned), so the desk frees its slot at once.
   */
  readonly deskUrl?: string
  /** What was wrong with the stored record and what the app did about it: said under the channel in the list, never stored. */
  readonly storedNote?: string
}

/** The counterparty's public key in a channel. */
export function peerKeyOf(r: KeyedMembership): string {
  return partyKey(r.params, otherParty(r.me))
}

/**
 * The longest name a rename takes, counted as an input's `maxLength` counts (UTF-16 units, so an
 * emoji may count two): what the screen lets through is what is checked, and it fits the 64 the
 * stored record holds.
 */
export const MAX_LABEL_CHARS = 40

/** Line breaks, tabs and other C0/C1 controls, line and paragraph separators, and the bidi controls that reorder the text after them in the list. */
const CONTROL_CHARACTER = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u

export type LabelErrorCode =
  /** Nothing but spaces typed. */
  | 'LABEL_EMPTY'
  /** Longer than MAX_LABEL_CHARS. */
  | 'LABEL_TOO_LONG'
  /** A control character inside the name (CONTROL_CHARACTER). */
  | 'LABEL_CONTROL_CHARACTER'
  /** The channel to rename is no longer in the list (abandoned meanwhile). */
  | 'LABEL_NO_CHANNEL'

/** A rename the app refuses: a stable code, and a sentence saying what is wrong and what to do. */
export class LabelError extends ProtocolError<LabelErrorCode> {}

/** The name `typed` for a counterparty, trimmed; throws a LabelError when it is empty, too long or holds a control character. */
export function counterpartyName(typed: string): string {
  const name = typed.trim()
  if (name === '') throw new LabelError('LABEL_EMPTY', 'Type a name for the counterparty: it cannot be empty or only spaces.')
  if (name.length > MAX_LABEL_CHARS) {
    throw new LabelError('LABEL_TOO_LONG', `The name is ${countOf(name.length, 'character')} long; it may have at most ${MAX_LABEL_CHARS}. Shorten it.`, { length: name.length })
  }
  const control = CONTROL_CHARACTER.exec(name)
  if (control) {
    const at = [...name.slice(0, control.index)].length + 1
    const unit = `U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
    throw new LabelError('LABEL_CONTROL_CHARACTER', `The name holds an invisible control character (${unit}) at character ${at}: a name is plain text on one line. Type it again without it.`, { at, character: unit })
  }
  return name
}

/**
 * `records` with the counterparty of `channelId` named `typed` (checked by counterpartyName). Only
 * the trader's own record changes, only its label: the channel, its document and the peer keep
 * what they had, and every other record is the same object.
 */
export function renamedRecords(records: readonly ChannelRecord[], channelId: string, typed: string): ChannelRecord[] {
  const label = counterpartyName(typed)
  if (!records.some((r) => r.channelId === channelId)) {
    throw new LabelError('LABEL_NO_CHANNEL', `Channel ${channelId.slice(0, 8)} is no longer in your list, so nothing was renamed.`, { channelId })
  }
  return records.map((r) => (r.channelId === channelId ? { ...r, label } : r))
}

/** The 26-letter code (core/sync/invite.ts newInviteCode), sealed: hex of nonce (24 bytes), tag (16) and code. */
const sealedCodeSchema = z.string().check(z.regex(/^[0-9a-f]{80,400}$/, 'expected a sealed invite code (hex)'))

const storedSchema = keyedMembershipSchema({
  label: z.string().check(z.maxLength(64)),
  createdAt: z.number().check(z.int(), z.nonnegative()),
  invite: z.optional(
    z
      .strictObject({
        sealed: z.string().check(z.maxLength(20_000)),
        sealedCode: z.optional(sealedCodeSchema),
        /** Written in clear by earlier versions: read, sealed or dropped, and written back without it. */
        code: z.optional(z.string().check(z.maxLength(64))),
      })
      .check(z.refine((i) => i.code === undefined || i.sealedCode === undefined, 'holds the invite code both in clear and sealed')),
  ),
  inviteDelivered: z.optional(z.literal(true)),
  deskUrl: z.optional(z.string().check(z.maxLength(256), z.regex(/^https?:\/\/\S+$/, 'expected an http(s) URL'))),
  /** Written in clear by earlier versions: read, compared with the derived one, and written back without it. */
  roomSecret: z.optional(hex32Schema),
})

/**
 * A stored entry the app cannot read. It is shown with what is wrong, and kept as it was: every save
 * writes it back, until the trader removes it (after saving a copy, say). A damaged record may be a
 * channel with money in it; the app never drops it on its own.
 */
export interface DamagedEntry {
  /** What is wrong, named by its field (`channels.2.params.partyB: ...`). */
  readonly reason: string
  /** The entry as it was stored (a whole list that is not one is kept as one entry). */
  readonly entry: unknown
}

export interface LoadedRecords {
  readonly records: ChannelRecord[]
  readonly damaged: DamagedEntry[]
}

export interface ReadRecords extends LoadedRecords {
  /** The stored list to write back (each record without what it kept in clear, damaged entries as they were), or null: nothing to change. */
  readonly rewrite: unknown[] | null
}

type ReadRecord = { ok: true; record: ChannelRecord; migrated: boolean } | { ok: false; reason: string }

/** One stored record as the app holds it: its room secret derived, its invite code opened, what was kept in clear taken out. */
function readRecord(entry: unknown, root: string, keys: KeyPair): ReadRecord {
  const parsed = parseMembership(storedSchema, entry, root)
  if (!parsed.ok) return parsed
  const { roomSecret: keptSecret, invite, ...kept } = parsed.value
  let roomSecret: Hex
  try {
    roomSecret = membershipRoomSecret(kept, keys)
  } catch (e) {
    return { ok: false, reason: `${root}.${failureOf(e).text}` }
  }
  const notes: string[] = []
  // Every record this app wrote holds the derived secret (the inviter's sealInvite derives it, the
  // invitee checks it, a restore derives it), so the counterparty is in the derived room: a stored
  // one that differs was altered, and would keep the channel from ever meeting its counterparty.
  if (keptSecret !== undefined && keptSecret !== roomSecret) {
    notes.push(`roomSecret: the room secret this record kept is not the one your key and ${kept.label}'s give (the record was altered). The channel uses the one both keys give, where ${kept.label} meets you, and the other was dropped.`)
  }
  let code = invite?.code
  if (invite?.sealedCode !== undefined) {
    code = openAtRest(keys.secretKey, 'invite-code', kept.channelId, invite.sealedCode) ?? undefined
    if (code === undefined && !kept.inviteDelivered) {
      notes.push(`invite.sealedCode: the invite code kept for this channel does not open with your key (the record was altered), so the invite cannot be shown again. If ${kept.label} has not joined, abandon the channel and invite them again.`)
    }
  }
  if (kept.inviteDelivered) code = undefined // handed over by the app: never shown again
  const record: ChannelRecord = {
    ...kept,
    roomSecret,
    ...(invite ? { invite: code === undefined ? { sealed: invite.sealed } : { sealed: invite.sealed, code } } : {}),
    ...(notes.length > 0 ? { storedNote: notes.map((n) => `${root}.${n}`).join(' ') } : {}),
  }
  const migrated = keptSecret !== undefined || invite?.code !== undefined || (invite?.sealedCode !== undefined && code === undefined)
  return { ok: true, record, migrated }
}

/**
 * The stored channel list of the identity `keys` as the app holds it. Never throws: a list that is
 * not one, and each entry that cannot be read (named by its field), are in `damaged`.
 */
export function readChannelRecords(raw: unknown, keys: KeyPair): ReadRecords {
  if (raw === undefined) return { records: [], damaged: [], rewrite: null }
  if (!Array.isArray(raw)) return { records: [], damaged: [{ reason: `channels: expected a list of channel records, found ${raw === null ? 'null' : typeof raw}`, entry: raw }], rewrite: null }
  const records: ChannelRecord[] = []
  const damaged: DamagedEntry[] = []
  const rewrite: unknown[] = []
  let changed = false
  for (const [i, entry] of raw.entries()) {
    const r = readRecord(entry, `channels.${i}`, keys)
    if (!r.ok) {
      damaged.push({ reason: r.reason, entry })
      rewrite.push(entry)
      continue
    }
    records.push(r.record)
    rewrite.push(r.migrated ? recordAtRest(r.record, keys) : entry)
    changed ||= r.migrated
  }
  return { records, damaged, rewrite: changed ? rewrite : null }
}

/** A record as stored: no room secret, the invite code sealed under `keys` (none once the app handed the invite over), no note. */
export function recordAtRest(r: ChannelRecord, keys: KeyPair): unknown {
  const { roomSecret: _derived, invite, storedNote: _said, ...kept } = r
  const code = invite?.code !== undefined && !r.inviteDelivered ? { sealedCode: sealAtRest(keys.secretKey, 'invite-code', r.channelId, invite.code) } : {}
  return toWire({ ...kept, ...(invite ? { invite: { sealed: invite.sealed, ...code } } : {}) })
}

const store = createStore(`otc-channels-${config.profile}`, 'channels')

/**
 * Reads the channel list of the unlocked identity `keys`; records kept in clear by an earlier
 * version are written back without it. A failed write (storage full, say) leaves them as they were
 * and the list is shown all the same: it is tried again at the next load or save.
 */
export async function loadChannelRecords(keys: KeyPair): Promise<LoadedRecords> {
  const read = readChannelRecords(await get<unknown>(keys.publicKey, store), keys)
  if (read.rewrite) {
    await set(keys.publicKey, read.rewrite, store).catch((e: unknown) => console.warn(`channel records: could not write them back without the secrets kept in clear (${failureOf(e).text}); kept as they were, tried again at the next load`))
  }
  return { records: read.records, damaged: read.damaged }
}

/** Writes the list: `records` at rest, then every `damaged` entry as it was read (never dropped by a save). */
export async function saveChannelRecords(keys: KeyPair, records: readonly ChannelRecord[], damaged: readonly DamagedEntry[]): Promise<void> {
  await set(keys.publicKey, [...records.map((r) => recordAtRest(r, keys)), ...damaged.map((d) => d.entry)], store)
}
