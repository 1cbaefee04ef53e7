// What the watchtower does about a finalized channel's locked positions (ChainSettlement.watched:
// it settles each at the oracle's price after expiry unless someone does first, or refunds it after
// the window), asked while the Settlement tab shows such positions and again every 20 s: its
// statuses change with the chain's clock and its own tries. Its word only, shown beside the
// position; the contract's window is what binds, and the trader's own buttons stay.
import { useEffect, useState } from 'react'
import type { Hex } from '../../core/index.ts'
import type { ChainSettlement, WatchedPosition } from '../../channel-contract/client/index.ts'
import { describeFailure } from '../settlement/connection.ts'

export const WATCHED_POSITIONS_EVERY_MS = 20_000

export interface WatchedPositions {
  /** By position id; empty while not read, while it cannot be asked, or when it holds nothing for the channel. */
  readonly byId: ReadonlyMap<Hex, WatchedPosition>
  /** Why the last ask failed (null: it answered, or was not asked). */
  readonly error: string | null
  /** Whether an ask has come back (an answer or a failure) since it became active. */
  readonly answered: boolean
}

const NONE: WatchedPositions = { byId: new Map(), error: null, answered: false }

/** What an answer of the watchtower makes of the read: its plan per position. */
export function watchedAnswer(w: Awaited<ReturnType<ChainSettlement['watched']>>): WatchedPositions {
  return { byId: new Map((w?.positions ?? []).map((p) => [p.positionId, p])), error: null, answered: true }
}

/**
 * What a failed ask makes of it: the reason, and no plan. What it said last is not kept while it
 * cannot be asked: a plan nobody can confirm now (it may be down for good) must not keep a trader
 * from settling in time.
 */
export function watchedFailure(e: unknown): WatchedPositions {
  return { byId: new Map(), error: describeFailure(e), answered: true }
}

/** The watchtower's plan for `channelId`'s locked positions, while `active` (finalized, positions locked, a watchtower configured). */
export function useWatchedPositions(chain: Pick<ChainSettlement, 'watched' | 'watchtowerUrl'>, channelId: Hex, active: boolean, everyMs = WATCHED_POSITIONS_EVERY_MS): WatchedPositions {
  const [read, setRead] = useState<WatchedPositions>(NONE)
  const on = active && chain.watchtowerUrl !== null
  useEffect(() => {
    if (!on) {
      setRead(NONE)
      return
    }
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const ask = async () => {
      try {
        const w = await chain.watched(channelId)
        if (!stopped) setRead(watchedAnswer(w))
      } catch (e) {
        if (!stopped) setRead(watchedFailure(e))
      }
      if (!stopped) timer = setTimeout(() => void ask(), everyMs)
    }
    void ask()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [chain, channelId, on, everyMs])
  return read
}
