// Which releases the desk takes (pure): a trader's signed release (core/release.ts) of a channel the
// desk runs, by the key the channel's params name for the trader's side, signed within
// RELEASE_MAX_SKEW_MS of the desk's clock. Whether the contract never opened the channel is read by
// the desk afterwards (Desk.releaseChannel): an opened channel is never released.
import { z } from 'zod'
import { isoSeconds, isValidRelease, MAX_TIME_MS, otherParty, partyKey, type ChannelRelease, type Hex } from '../core/index.ts'
import type { ChannelEntry } from './channels.ts'
import { DemoError } from './errors.ts'

/**
 * How far a release's time may be from the desk's clock, either way: 5 minutes. A captured release
 * is worthless for any other channel (it signs the channel id) and goes stale after this.
 */
export const RELEASE_MAX_SKEW_MS = 5 * 60_000

const releaseBodySchema = z.strictObject({
  channelId: z.string().regex(/^[0-9a-f]{64}$/, 'expected the channel id as 64 lowercase hex characters'),
  at: z.number().int('expected the signing time in ms since the epoch (an integer)').nonnegative().max(MAX_TIME_MS, `expected the signing time in ms since the epoch, at most ${MAX_TIME_MS} (9999-12-31)`),
  signature: z.string().regex(/^[0-9a-f]{128}$/, 'expected an ed25519 signature as 128 lowercase hex characters'),
})

export interface CheckedRelease {
  readonly entry: ChannelEntry
  readonly release: ChannelRelease
}

/** "2026-01-05 12:00:00 UTC" (core's isoSeconds: never a throw). */
const utc = (ms: number): string => `${isoSeconds(ms)} UTC`

/**
 * Parses the body of POST /release `{channelId, at, signature}` and checks it: a channel the desk
 * runs (`channelOf`), signed within `maxSkewMs` of `now`, by its trader's channel key. Throws a
 * DemoError naming the reason (and the field) otherwise.
 */
export function checkRelease(body: unknown, channelOf: (channelId: Hex) => ChannelEntry | undefined, now: number, maxSkewMs = RELEASE_MAX_SKEW_MS): CheckedRelease {
  const parsed = releaseBodySchema.safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const field = issue.path.join('.')
    throw new DemoError('INVALID_FIELD', field ? `${field}: ${issue.message}` : `expected {channelId, at, signature}: ${issue.message}`, field || undefined)
  }
  const { channelId, at, signature } = parsed.data
  const entry = channelOf(channelId)
  if (!entry) throw new DemoError('UNKNOWN_CHANNEL', `the desk runs no channel ${channelId.slice(0, 8)}… (never invited, or already forgotten or released)`, 'channelId')
  if (Math.abs(at - now) > maxSkewMs) {
    const when = at < now ? `${Math.round((now - at) / 1000)} s ago` : `${Math.round((at - now) / 1000)} s ahead of the desk's clock`
    throw new DemoError('RELEASE_STALE', `the release was signed at ${utc(at)}, ${when}; the desk takes a release signed within ${maxSkewMs / 60_000} min of its clock (${utc(now)}): sign a new one`, 'at')
  }
  const party = otherParty(entry.me)
  const release: ChannelRelease = { channelId, party, at, signature }
  if (!isValidRelease(entry.params, release)) {
    throw new DemoError('BAD_SIGNATURE', `the signature is not a release of channel ${channelId.slice(0, 8)}… at ${at} by the trader's channel key ${partyKey(entry.params, party).slice(0, 12)}… (party ${party})`, 'signature')
  }
  return { entry, release }
}
