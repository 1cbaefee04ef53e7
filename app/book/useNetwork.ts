// Every channel of the trader running at once, for the screens that look across channels (the
// book, the multi-counterparty RFQ). Each channel's runtime is the same shared, reference-counted
// ChannelRuntime the channel screen uses (one session and one room per channel, never two).
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import type { KeyPair } from '../../core/index.ts'
import type { ChannelSession, SessionSnapshot } from '../../core/sync/index.ts'
import { ChannelRuntime } from '../channels/channelRuntime.ts'
import { peerKeyOf, type ChannelRecord } from '../channels/channelRecords.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import type { BookChainView, BookChannel } from './book.ts'

export interface NetworkChannel {
  readonly record: ChannelRecord
  readonly session: ChannelSession | null
  readonly snap: SessionSnapshot | null
  /** Why the channel's runtime could not start, or null. */
  readonly error: string | null
}

/** Why the trader cannot ask this channel for quotes, in words, or null: its session runs, its opening is signed, it is not closing. */
export function askBlocker(n: NetworkChannel): string | null {
  if (n.session === null || n.snap === null) return n.error ? `its channel could not start: ${n.error}` : 'its channel is starting'
  const latest = n.snap.view.latest
  if (!latest) return 'the channel is not open yet: no state signed by both of you'
  if (latest.state.isFinal) return 'the channel is closing or closed: its final state is signed, it takes no new trades'
  return null
}

/** A channel the trader can ask (askBlocker has no reason against it). */
export function canAsk(n: NetworkChannel): boolean {
  return askBlocker(n) === null
}

/**
 * The counterparties the trader cannot ask now, each once with why (its best channel's reason):
 * those with no channel that can be asked. A counterparty with one open channel is not listed for
 * its older, ended ones.
 */
export function notAskable(network: readonly NetworkChannel[]): { readonly channelId: string; readonly label: string; readonly reason: string }[] {
  const askablePeers = new Set(network.filter(canAsk).map((n) => peerKeyOf(n.record)))
  const byPeer = new Map<string, { channelId: string; label: string; reason: string; rank: number }>()
  for (const n of network) {
    const key = peerKeyOf(n.record)
    const reason = askBlocker(n)
    if (reason === null || askablePeers.has(key)) continue
    // The channel nearest to being asked speaks for its counterparty: starting or opening before ended.
    const rank = n.snap?.view.latest?.state.isFinal ? 0 : 1
    const before = byPeer.get(key)
    if (!before || rank > before.rank) byPeer.set(key, { channelId: n.record.channelId, label: n.record.label, reason, rank })
  }
  return [...byPeer.values()].map(({ channelId, label, reason }) => ({ channelId, label, reason }))
}

/**
 * Where the trader stands with a counterparty: a channel that can be asked now, one still opening,
 * or only ended ones (their final state signed by both: closing or closed, never to trade again).
 */
export type PeerChannels = 'open' | 'opening' | 'ended'

const STANDING: Record<PeerChannels, number> = { ended: 0, opening: 1, open: 2 }

/** Per counterparty (public key) the trader has a channel with: its best channel's standing (PeerChannels). */
export function channelsByPeer(network: readonly NetworkChannel[]): ReadonlyMap<string, PeerChannels> {
  const out = new Map<string, PeerChannels>()
  for (const n of network) {
    const here: PeerChannels = canAsk(n) ? 'open' : n.snap?.view.latest?.state.isFinal ? 'ended' : 'opening'
    const key = peerKeyOf(n.record)
    const before = out.get(key)
    if (before === undefined || STANDING[here] > STANDING[before]) out.set(key, here)
  }
  return out
}

/**
 * The network as one external store: its snapshot is the list of channels, where a channel keeps
 * its object (and the list its array) until that channel's runtime or session snapshot changes,
 * so memoized views of one channel (the guard, a ladder, the book's rows) skip the others' changes.
 */
export function networkStore(runtimes: readonly ChannelRuntime[]): { subscribe: (fn: () => void) => () => void; getSnapshot: () => readonly NetworkChannel[] } {
  let current: readonly NetworkChannel[] = []
  const read = (rt: ChannelRuntime, prev: NetworkChannel | undefined): NetworkChannel => {
    const s = rt.getSnapshot()
    const snap = s.session?.getSnapshot() ?? null
    if (prev && prev.record === rt.record && prev.session === s.session && prev.snap === snap && prev.error === s.error) return prev
    return { record: rt.record, session: s.session, snap, error: s.error }
  }
  const getSnapshot = (): readonly NetworkChannel[] => {
    const next = runtimes.map((rt, i) => read(rt, current[i]))
    if (next.length !== current.length || next.some((n, i) => n !== current[i])) current = next
    return current
  }
  const subscribe = (fn: () => void): (() => void) => {
    const sessionSubs = new Map<ChannelRuntime, () => void>()
    const attach = (rt: ChannelRuntime) => {
      const s = rt.getSnapshot().session
      if (s && !sessionSubs.has(rt)) sessionSubs.set(rt, s.subscribe(fn))
    }
    const unsubs = runtimes.map((rt) => rt.subscribe(() => {
      attach(rt)
      fn()
    }))
    runtimes.forEach(attach)
    return () => {
      unsubs.forEach((u) => u())
      sessionSubs.forEach((u) => u())
    }
  }
  return { subscribe, getSnapshot }
}

/**
 * The live session of every channel in `records`. Read with useSyncExternalStore (as the channel
 * screen reads its session): a co-signed state is rendered in the same task it is published in.
 */
export function useNetwork(records: readonly ChannelRecord[], keys: KeyPair): readonly NetworkChannel[] {
  const { conn } = useSettlement()
  const [runtimes, setRuntimes] = useState<readonly ChannelRuntime[]>([])
  useEffect(() => {
    const rts = records.map((r) => ChannelRuntime.acquire(r, keys, conn.now))
    setRuntimes(rts)
    return () => rts.forEach((rt) => rt.release())
  }, [records, keys, conn])
  const store = useMemo(() => networkStore(runtimes), [runtimes])
  return useSyncExternalStore(store.subscribe, store.getSnapshot)
}

/**
 * The book's view of each channel (its latest co-signed state, and the channel on the contract from
 * `chains` by channel id); `prev` entries are kept while their state and chain view are unchanged.
 */
export function bookChannels(network: readonly NetworkChannel[], prev: readonly BookChannel[] = [], chains: ReadonlyMap<string, BookChainView | null> = new Map()): BookChannel[] {
  return network.map((n, i) => {
    const state = n.snap?.view.latest?.state ?? null
    const chain = chains.get(n.record.channelId) ?? null
    const p = prev[i]
    if (p && p.channelId === n.record.channelId && p.counterparty === n.record.label && (p.chain ?? null) === chain && (p.state === state || (p.state && state && n.snap?.view.latestHash && p.latestHash === n.snap.view.latestHash))) return p
    return {
      channelId: n.record.channelId,
      counterparty: n.record.label,
      counterpartyKey: peerKeyOf(n.record),
      me: n.record.me,
      state,
      latestHash: n.snap?.view.latestHash ?? null,
      chain,
    }
  })
}
