// A restored channel's state fetched from the watchtower (lost storage, counterparty offline): the
// client checks the watchtower's answer (channel-contract/client/watchtowerState.ts), the session
// takes it as a root only with both signatures (ChannelSession.addCosigned, persisted there), and
// where it came from is noted here so the screen can say so (localStorage, per profile and channel,
// parsed back; display only: nothing here is trusted or signed).
import { z } from '../../core/zod.ts'
import { stateHash, tryParse, type ChannelParams, type Hex, type KeyPair } from '../../core/index.ts'
import type { ChannelSession } from '../../core/sync/index.ts'
import type { ChainSettlement } from '../../channel-contract/client/index.ts'
import { config } from '../config.ts'

export interface FromWatchtower {
  readonly hash: Hex
  readonly version: number
  /** The watchtower's base URL. */
  readonly url: string
  readonly at: number
}

const keyOf = (channelId: Hex) => `otc-from-watchtower-${config.profile}-${channelId}`
const fromSchema = z.strictObject({
  hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  version: z.number().check(z.int(), z.nonnegative()),
  url: z.string().check(z.maxLength(500)),
  at: z.number().check(z.int(), z.nonnegative()),
})

/** Where this channel's state came from, if it was fetched from a watchtower (null otherwise or if damaged). */
export function loadFromWatchtower(channelId: Hex): FromWatchtower | null {
  const raw = globalThis.localStorage?.getItem(keyOf(channelId))
  if (!raw) return null
  try {
    const r = tryParse(fromSchema, JSON.parse(raw), 'fromWatchtower')
    return r.ok ? r.value : null
  } catch {
    return null
  }
}

/**
 * Fetches the watchtower's copy, checked by the client, and hands it to the session (a root only
 * with both signatures). Throws the client's or the session's refusal; changes nothing then.
 * Returns what was adopted, or null when the session already knew this version or a newer one.
 */
export async function fetchFromWatchtower(settlement: ChainSettlement, session: ChannelSession, params: ChannelParams, keys: KeyPair, now: number): Promise<{ readonly got: FromWatchtower; readonly latestVersion: number }> {
  const got = await settlement.watchtowerState(params, keys)
  const from: FromWatchtower = { hash: stateHash(got.signed.state), version: got.signed.state.version, url: got.from, at: now }
  // Noted before the session shows it (the screen reads it when the new state renders), taken back if not adopted.
  const key = keyOf(session.channelId)
  const before = globalThis.localStorage?.getItem(key) ?? null
  const put = (v: string | null) => {
    try {
      if (v === null) globalThis.localStorage?.removeItem(key)
      else globalThis.localStorage?.setItem(key, v)
    } catch {
      // display only
    }
  }
  put(JSON.stringify(from))
  let latestVersion: number
  try {
    latestVersion = await session.addCosigned(got.signed)
  } catch (e) {
    put(before)
    throw e
  }
  if (latestVersion !== from.version) put(before)
  return { got: from, latestVersion }
}
