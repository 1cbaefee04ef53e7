// The audit trail in words: what each co-signed version changed, who proposed it, and why a
// version number was skipped; refusals as a sentence with their code apart. Pure; HistoryTab (and
// the Trade tab's outcomes) show it.
import { isoDate, isoSeconds, otherParty, type Hex, type Party, type Transition } from '../../core/index.ts'
import { supersededBy, type PaidOutVersionView } from '../../channel-contract/client/index.ts'
import { supersededInWords } from './superseded.ts'
import { reversePackage } from '../../core/pricing/index.ts'
import { intentKey, type IntentOutcome, type RejectedEntry } from '../../core/sync/index.ts'
import { worded, type Failure } from '../failure.ts'
import { formatMoney } from '../money/money.ts'
import { formatFixing, formatUtc } from '../risk/format.ts'
import { describeLegForTrader } from '../risk/positions.ts'

export interface AuditRow {
  readonly kind: 'state' | 'gap'
  readonly version: string
  readonly hash: Hex | null
  readonly change: string
  readonly time: number | null
  readonly proposedBy: string
  /** A state the document no longer holds (compacted), listed from what this browser kept when it accepted it. */
  readonly kept?: boolean
  /** Co-signed after the version the contract finalized: why it moved no money, naming both versions. */
  readonly superseded?: { readonly text: string; readonly version: number; readonly finalized: number }
}

/** A co-signed state as the audit lists it: from the engine's view, or kept by this browser (`kept`). */
export interface AuditState {
  readonly hash: Hex | null
  readonly version: number
  readonly transition: Transition | null
  readonly proposer: Party | null
  readonly kept?: boolean
}

/**
 * The states to list: the engine's accepted ones, and before them what this browser kept of the
 * versions the document compacted away (the engine forgets them; an audit trail must not).
 */
export function auditStates(accepted: readonly { hash: Hex; version: number; transition: Transition | null; proposer: Party | null }[], kept: readonly { version: number; transition: Transition; hash?: Hex; proposer?: Party | null }[]): AuditState[] {
  const known = new Set(accepted.map((a) => a.version))
  const older = kept.filter((k) => !known.has(k.version)).map((k) => ({ hash: k.hash ?? null, version: k.version, transition: k.transition, proposer: k.proposer ?? null, kept: true }))
  return [...older, ...accepted]
}

export interface AuditContext {
  readonly me: Party
  readonly peerName: string
  readonly asset: string
  readonly decimals: number
}

export function changeInWords(t: Transition | null, version: number, ctx: AuditContext): string {
  if (t === null) return version === 0 ? 'Opening: both deposits enter the channel' : 'Checkpoint: a co-signed state both sides kept'
  const money = (v: bigint) => formatMoney(v < 0n ? -v : v, ctx.decimals, ctx.asset)
  switch (t.type) {
    case 'trade': {
      const q = t.quote.quote
      const buyer = q.side === 'sell' ? otherParty(q.quoter) : q.quoter
      const iBuy = buyer === ctx.me
      const legs = (iBuy ? q.terms : reversePackage(q.terms)).legs.map((l) => describeLegForTrader(l, q.terms)).join(' / ')
      return `Trade: you ${iBuy ? 'bought' : 'sold'} ${q.terms.feed} ${isoDate(q.terms.expiry)} ${legs} for ${money(q.premium)} premium (${iBuy ? 'paid' : 'received'}), on ${q.quoter === ctx.me ? 'your' : `${ctx.peerName}'s`} quote`
    }
    case 'settle': {
      const prices = t.settlements.map((s) => `${s.attestation.attestation.feed} ${formatFixing(s.attestation.attestation.price, s.attestation.attestation.decimals)} at ${formatUtc(s.attestation.attestation.instant)}`)
      return `Settlement of ${t.settlements.length} expired position${t.settlements.length === 1 ? '' : 's'} at the oracle's price: ${[...new Set(prices)].join('; ')}`
    }
    case 'unwind': {
      const toMe = ctx.me === 'B' ? t.paymentAtoB : -t.paymentAtoB
      const pay = toMe > 0n ? `you received ${money(toMe)}` : toMe < 0n ? `you paid ${money(toMe)}` : 'no payment'
      return `Close-out (unwind) of ${t.positionIds.length} position${t.positionIds.length === 1 ? '' : 's'}: ${pay}`
    }
    case 'final':
      return 'Final state: no open positions; the channel can be closed on the contract'
  }
}

/** A proposal in a few words, for the account of a race it lost ("the trade on Bob's quote (...)"). */
export function proposalInWords(t: Transition | null, ctx: AuditContext): string {
  if (t === null) return 'the opening state'
  const money = (v: bigint) => formatMoney(v < 0n ? -v : v, ctx.decimals, ctx.asset)
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`
  switch (t.type) {
    case 'trade': {
      const q = t.quote.quote
      const legs = q.terms.legs.map((l) => describeLegForTrader(l, q.terms)).join(' / ')
      return `the trade on ${q.quoter === ctx.me ? 'your' : `${ctx.peerName}'s`} quote (${q.terms.feed} ${legs}, ${money(q.premium)})`
    }
    case 'settle':
      return `a settlement of ${n(t.settlements.length, 'expired position')}`
    case 'unwind':
      return `a close-out of ${n(t.positionIds.length, 'position')}`
    case 'final':
      return 'the final state'
  }
}

/** A refusal as the engine words it, with its epoch-millisecond times as UTC times a person reads. */
export function readableReason(reason: string): string {
  return reason.replace(/\b1\d{12}\b/g, (ms) => `${isoSeconds(Number(ms))} UTC`)
}

/** A rejected entry of the document or local storage as the trader reads it: the reason in words, its code apart (failure.ts). */
export function rejectedFailure(r: Pick<RejectedEntry, 'reason' | 'code'>): Failure {
  return worded(readableReason(r.reason), r.code)
}

/** What went wrong with one of my proposals, or null when nothing did (done, or no message). */
export function outcomeFailure(o: Pick<IntentOutcome, 'status' | 'message' | 'code'>): Failure | null {
  return o.status === 'done' || !o.message ? null : worded(o.message, o.code)
}

/** A proposal seen at a version that never became a state (app/channel/raceLog.ts). */
export interface LostProposal {
  readonly version: number
  readonly proposer: Party
  readonly intent: string
  readonly words: string
  readonly refused: string | null
}

/**
 * Why the versions from..to were skipped before `next`, from the proposals this side saw there.
 * Null when it saw none (the general explanation is given then).
 */
export function gapInWords(from: number, to: number, next: { version: number; intent: string; proposer: string }, seen: readonly LostProposal[], ctx: AuditContext): string | null {
  const who = (p: Party) => (p === ctx.me ? 'you' : ctx.peerName)
  const parts: string[] = []
  for (let v = from; v <= to; v++) {
    const at = seen.filter((s) => s.version === v)
    const where = from === to ? '' : `at v${v} `
    if (at.length === 0) continue
    const refused = at.find((s) => s.refused !== null)
    const byA = at.find((s) => s.proposer === 'A')
    const byB = at.find((s) => s.proposer === 'B')
    if (refused) {
      parts.push(`${where}${who(refused.proposer)} proposed ${refused.words} and ${who(refused.proposer === 'A' ? 'B' : 'A')} refused it (${readableReason(refused.refused!)})`)
    } else if (byA && byB) {
      const [mine, theirs] = ctx.me === 'A' ? [byA, byB] : [byB, byA]
      const what = mine.intent === theirs.intent ? `you and ${ctx.peerName} both proposed ${mine.words}` : `you proposed ${mine.words} and ${ctx.peerName} proposed ${theirs.words}`
      parts.push(`${where}${what} at the same moment; each side had signed its own, and an honest key signs one state per version, so neither could get the second signature`)
    } else {
      const p = at[0]!
      parts.push(`${where}${who(p.proposer)} proposed ${p.words}, but ${who(p.proposer === 'A' ? 'B' : 'A')} had already signed another state at v${v} (a proposal crossed it), so it could not get the second signature`)
    }
  }
  if (parts.length === 0) return null
  const again = seen.find((s) => s.version >= from && s.version <= to && s.intent === next.intent)
  const tail = again ? ` The change was proposed again at v${next.version} by ${next.proposer}.` : ` The next state is v${next.version}.`
  const range = from === to ? `v${from}` : `v${from}–v${to}`
  const text = parts.join('; ')
  return `${range} never became a state: ${text}.${tail} Versions only need to increase.`
}

/**
 * Newest first; a skipped version range gets a row that says why (from `seen`, the proposals this
 * side saw, when it saw them); a state co-signed after the version the contract finalized (`chain`,
 * the channel on the contract) says it moved no money.
 */
export function auditRows(accepted: readonly AuditState[], ctx: AuditContext, seen: readonly LostProposal[] = [], chain: PaidOutVersionView | null = null): AuditRow[] {
  const rows: AuditRow[] = []
  const sorted = [...accepted].sort((a, b) => a.version - b.version)
  sorted.forEach((a, i) => {
    const prev = sorted[i - 1]
    if (prev && a.version > prev.version + 1) {
      const from = prev.version + 1
      const to = a.version - 1
      const range = from === to ? `v${from}` : `v${from}–v${to}`
      const next = { version: a.version, intent: a.transition ? intentKey(a.transition) : '', proposer: proposerOf(a) === ctx.me ? 'you' : proposerOf(a) === null ? 'one of you' : ctx.peerName }
      rows.push({
        kind: 'gap', version: range, hash: null, time: null, proposedBy: '—',
        change: gapInWords(from, to, next, seen, ctx) ?? `${range} never became a state: a proposal there lost a race (both sides proposed at the same version at once, or one side had already signed another state at it), so neither could get the second signature; the change was proposed again at v${a.version}. Versions only need to increase.`,
      })
    }
    const proposer = proposerOf(a)
    const by = supersededBy(a.version, chain)
    rows.push({
      kind: 'state', version: `v${a.version}`, hash: a.hash, time: a.transition?.timestamp ?? null,
      proposedBy: proposer === null ? '—' : proposer === ctx.me ? 'you' : ctx.peerName,
      change: changeInWords(a.transition, a.version, ctx),
      ...(a.kept ? { kept: true } : {}),
      ...(by !== null ? { superseded: { text: supersededInWords([a.version], by), version: a.version, finalized: by } } : {}),
    })
  })
  return rows.reverse()
}

/** Who proposed a co-signed state: a trade's taker, whatever the record says; else the record. */
function proposerOf(a: { transition: Transition | null; proposer: Party | null }): Party | null {
  return a.transition?.type === 'trade' ? otherParty(a.transition.quote.quote.quoter) : a.proposer
}
