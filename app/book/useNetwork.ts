// Every channel of the trader running at once, for the screens that look across channels (the
// book, the multi-counterparty RFQ). Each channel's runtime is the same shared, reference-counted
// ChannelRuntime the channel screen uses (one session and one room per channel, never two).
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import type { KeyPair } from '../../core/index.ts'
import type { ChannelSession, SessionSnapshot } from '../../core/sync/index.ts'
import { ChannelRuntime } from '../channels/channelRuntime.ts'
import { peerKeyOf, type ChannelRecord } from '../channels/channelRecords.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import { tradingBlocked, tradingUnbacked } from '../channel/tradingBlocked.ts'
import { formatMoney } from '../money/money.ts'
import type { BookChainView, BookChannel } from './book.ts'

export interface NetworkChannel {
  readonly record: ChannelRecord
  readonly session: ChannelSession | null
  readonly snap: SessionSnapshot | null
  /** Why the channel's runtime could not start, or null. */
  readonly error: string | null
}

/**
 * Each channel as the contract last showed it, by channel id (channel/chainViews.ts): its view, null
 * when the contract does not hold it (never opened there), absent while not read.
 */
export type ChainReads = ReadonlyMap<string, SettlementChannelView | null>

const NO_READS: ChainReads = new Map()

/**
 * Why the trader cannot ask this channel for quotes, nor accept a quote in it, in words, or null:
 * its session runs, its opening is signed, it is not closing, and the contract (`chain`, once read)
 * has not stopped it. The channel screen's rule (tradingBlocked): disputed, finalized or closed on
 * the contract, or its final state signed, takes no new trade. A channel not opened on the contract
 * yet can be asked, as on its own screen (its rows say so: askWarning).
 */
export function askBlocker(n: NetworkChannel, chain?: SettlementChannelView | null): string | null {
  if (n.session === null || n.snap === null) return n.error ? `its channel could not start: ${n.error}` : 'its channel is starting'
  const latest = n.snap.view.latest
  if (!latest) return 'the channel is not open yet: no state signed by both of you'
  const status = chain?.status ?? null
  if (tradingBlocked(status, latest.state.isFinal) === null) return null
  switch (status) {
    case 'disputed': return 'the channel is in dispute on the contract: trading is stopped (see its Settlement tab)'
    case 'finalized': return 'the contract finalized the channel after a dispute: it takes no new trades'
    case 'closed': return 'the channel is closed on the contract: it takes no new trades'
  }
  return 'the channel is closing or closed: its final state is signed, it takes no new trades'
}

/** What to know before asking a channel that can be asked (the channel screen's tradingUnbacked: not open on the contract yet), or null. */
export function askWarning(n: NetworkChannel, chain: SettlementChannelView | null | undefined): string | null {
  return tradingUnbacked(chain === null ? 'not opened' : null, n.snap?.view.latest != null)
}

/** A channel the trader can ask (askBlocker has no reason against it). */
export function canAsk(n: NetworkChannel, chains: ChainReads = NO_READS): boolean {
  return askBlocker(n, chains.get(n.record.channelId)) === null
}

/**
 * The counterparties the trader cannot ask now, each once with why (its best channel's reason):
 * those with no channel that can be asked. A counterparty with one open channel is not listed for
 * its older, ended ones.
 */
export function notAskable(network: readonly NetworkChannel[], chains: ChainReads = NO_READS): { readonly channelId: string; readonly label: string; readonly reason: string }[] {
  const askablePeers = new Set(network.filter((n) => canAsk(n, chains)).map((n) => peerKeyOf(n.record)))
  const byPeer = new Map<string, { channelId: string; label: string; reason: string; rank: number }>()
  for (const n of network) {
    const key = peerKeyOf(n.record)
    const reason = askBlocker(n, chains.get(n.record.channelId))
    if (reason === null || askablePeers.has(key)) continue
    // The channel nearest to being asked speaks for its counterparty: starting or opening before ended.
    const rank = ended(n, chains) ? 0 : 1
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

/** Whether the channel will never trade again: its final state signed, or disputed, finalized or closed on the contract. */
function ended(n: NetworkChannel, chains: ChainReads): boolean {
  const status = chains.get(n.record.channelId)?.status
  return n.snap?.view.latest?.state.isFinal === true || status === 'disputed' || status === 'finalized' || status === 'closed'
}

/** Per counterparty (public key) the trader has a channel with: its best channel's standing (PeerChannels). */
export function channelsByPeer(network: readonly NetworkChannel[], chains: ChainReads = NO_READS): ReadonlyMap<string, PeerChannels> {
  const out = new Map<string, PeerChannels>()
  for (const n of network) {
    const here: PeerChannels = canAsk(n, chains) ? 'open' : ended(n, chains) ? 'ended' : 'opening'
    const key = peerKeyOf(n.record)
    const before = out.get(key)
    if (before === undefined || STANDING[here] > STANDING[before]) out.set(key, here)
  }
  return out
}

/** The channel a network request asks a counterparty on, and why that one of several. */
export interface AskTarget {
  readonly channel: NetworkChannel
  /** Said beside the counterparty when it has several channels that can be asked: which one is asked, and why. */
  readonly choice: string | null
  /** What to know before asking it (askWarning: not open on the contract yet), or null. */
  readonly warning: string | null
}

/**
 * One channel per counterparty the trader can ask (one ticket each: a counterparty asked twice would
 * quote twice and could fill twice): its best channel, open on the contract before one that is not,
 * then the one where the trader's free balance is largest, then the newest. In the order of `network`.
 */
export function askTargets(network: readonly NetworkChannel[], chains: ChainReads = NO_READS): AskTarget[] {
  const byPeer = new Map<string, NetworkChannel[]>()
  for (const n of network) {
    if (!canAsk(n, chains)) continue
    const key = peerKeyOf(n.record)
    byPeer.set(key, [...(byPeer.get(key) ?? []), n])
  }
  const backed = (n: NetworkChannel) => chains.get(n.record.channelId)?.status === 'open'
  const free = (n: NetworkChannel) => {
    const s = n.snap!.view.latest!.state
    return n.record.me === 'A' ? s.balanceA : s.balanceB
  }
  const better = (a: NetworkChannel, b: NetworkChannel) =>
    backed(a) !== backed(b) ? backed(a) : free(a) !== free(b) ? free(a) > free(b) : a.record.createdAt !== b.record.createdAt ? a.record.createdAt > b.record.createdAt : a.record.channelId < b.record.channelId
  const out: AskTarget[] = []
  for (const n of network) {
    const all = byPeer.get(peerKeyOf(n.record))
    if (!all) continue
    const best = all.reduce((x, y) => (better(y, x) ? y : x))
    if (best !== n) continue
    const warning = askWarning(n, chains.get(n.record.channelId))
    if (all.length === 1) {
      out.push({ channel: n, choice: null, warning })
      continue
    }
    const { assetDecimals, asset } = n.record.params
    const why = [backed(n) ? 'open on the contract' : null, `your free balance there ${formatMoney(free(n), assetDecimals, asset)}`].filter((x) => x !== null).join(', ')
    out.push({ channel: n, choice: `asked on one channel of your ${all.length} with ${n.record.label}: ${n.record.channelId.slice(0, 10)}… (${why})`, warning })
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
