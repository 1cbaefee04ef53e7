// Proposals this browser saw before they were co-signed, kept so the audit can say which proposal
// lost a race at a skipped version, and why. The engine's view lists only live proposals (those that
// extend the latest state); once a version is passed, the losers are gone from it. So every
// snapshot's pending proposals are noted here as they go by (localStorage, per profile and channel,
// parsed back on load; a damaged store is dropped). Display only: nothing here is trusted or signed.
import { z } from '../../core/zod.ts'
import type { ChannelSession, PendingProposal } from '../../core/sync/index.ts'
import { tryParse, type Hex, type Party } from '../../core/index.ts'
import { proposalInWords, type AuditContext } from './auditText.ts'
import { config } from '../config.ts'
import { writeWhenIdle } from '../idleWrite.ts'

export interface SeenProposal {
  readonly version: number
  readonly hash: Hex
  readonly proposer: Party
  /** The engine's name for what it does (kept by a re-proposal at a higher version). */
  readonly intent: string
  /** What it would have changed, in words, as this side described it when it saw it. */
  readonly words: string
  /** The other side's refusal, "CODE: message", when it refused. */
  readonly refused: string | null
}

/** The newest proposals only: a skipped version is explained from what was seen near it. */
const KEEP = 40
const keyOf = (channelId: Hex) => `otc-races-${config.profile}-${channelId}`

const seenSchema = z.strictObject({
  version: z.number().check(z.int(), z.nonnegative()),
  hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  proposer: z.enum(['A', 'B']),
  intent: z.string().check(z.maxLength(2000)),
  words: z.string().check(z.maxLength(500)),
  refused: z.nullable(z.string().check(z.maxLength(500))),
})
const storedSchema = z.strictObject({ v: z.literal(1), seen: z.array(z.unknown()).check(z.maxLength(KEEP * 2)) })

export function loadRaces(channelId: Hex): SeenProposal[] {
  const raw = globalThis.localStorage?.getItem(keyOf(channelId))
  if (!raw) return []
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    return []
  }
  const top = tryParse(storedSchema, json, 'races')
  if (!top.ok) return []
  const out: SeenProposal[] = []
  for (const e of top.value.seen) {
    const r = tryParse(seenSchema, e, 'races.seen')
    if (r.ok) out.push(r.value as SeenProposal)
  }
  return out
}

function saveRaces(channelId: Hex, seen: readonly SeenProposal[]): void {
  try {
    globalThis.localStorage?.setItem(keyOf(channelId), JSON.stringify({ v: 1, seen }))
  } catch {
    // Storage full or denied: the audit falls back to the general explanation.
  }
}

function refusalOf(p: PendingProposal): string | null {
  return p.status === 'refused' ? p.reason : null
}

/**
 * One log per channel for the page's life, fed by the session's every snapshot (not React's
 * renders, which may skip the few milliseconds a lost race is visible). Each proposal is kept in
 * the words the audit shows (`proposalInWords`).
 */
export class RaceLog {
  private seen: SeenProposal[]
  private readonly listeners = new Set<() => void>()

  constructor(
    private readonly channelId: Hex,
    private readonly ctx: AuditContext,
  ) {
    this.seen = loadRaces(channelId)
  }

  /** Notes the pending proposals of one snapshot; true when something new was noted. */
  note(pending: readonly PendingProposal[]): boolean {
    if (pending.length === 0) return false
    let changed = false
    for (const p of pending) {
      const refused = refusalOf(p)
      const i = this.seen.findIndex((s) => s.hash === p.proposal.hash)
      if (i >= 0 && (this.seen[i]!.refused === refused || refused === null)) continue
      const entry: SeenProposal = {
        version: p.proposal.version, hash: p.proposal.hash, proposer: p.proposal.proposer, refused,
        intent: p.intent, words: proposalInWords(p.proposal.transition, this.ctx),
      }
      if (i >= 0) this.seen[i] = entry
      else this.seen.push(entry)
      changed = true
    }
    if (!changed) return false
    this.seen = this.seen.sort((a, b) => a.version - b.version).slice(-KEEP)
    // Stored and shown when the page is next idle (writeWhenIdle): a proposal is noted as pending
    // just before its answer is due, and a save run then (the log serialised into localStorage)
    // delayed reading that answer.
    writeWhenIdle(keyOf(this.channelId), () => {
      saveRaces(this.channelId, this.seen)
      for (const l of this.listeners) l()
    })
    return true
  }

  /** Follows a session: every snapshot it publishes. Returns the unsubscribe. */
  follow(session: ChannelSession): () => void {
    const check = () => void this.note(session.getSnapshot().view.pending)
    check()
    return session.subscribe(check)
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  getSnapshot = (): readonly SeenProposal[] => this.seen
}

const logs = new Map<Hex, RaceLog>()

/** The page's one log for a channel (the channel screen feeds it, the audit reads it). */
export function raceLogFor(channelId: Hex, ctx: AuditContext): RaceLog {
  let log = logs.get(channelId)
  if (!log) logs.set(channelId, (log = new RaceLog(channelId, ctx)))
  return log
}
