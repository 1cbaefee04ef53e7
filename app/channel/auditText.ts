// The audit trail in words: what each co-signed version changed, who proposed it, and why a
// version number was skipped; refusals as a sentence with their code apart. Pure; HistoryTab (and
// the Trade tab's outcomes) show it.
import { countOf, isoDate, isoSeconds, isoTime, isDateTime, otherParty, type Hex, type Party, type Transition } from '../../core/index.ts'
import { supersededBy, type PaidOutVersionView } from '../../channel-contract/client/index.ts'
import { supersededInWords } from './superseded.ts'
import { reversePackage } from '../../core/pricing/index.ts'
import { DEFAULT_POLICY, intentKey, type IntentOutcome, type PendingProposal, type RejectedEntry } from '../../core/sync/index.ts'
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
  /** The refusals' codes behind a gap row (for support, the tooltip; never in the sentence), or undefined. */
  readonly code?: string
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
    case 'trade':
      return tradeInWords(t, ctx, 'done')
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

/** A trade from my side: "Trade: you bought … for 12.74 USDC premium (paid), on Demo Desk's quote"; `proposed`: "you buy … (you pay)". */
function tradeInWords(t: Extract<Transition, { type: 'trade' }>, ctx: AuditContext, tense: 'done' | 'proposed'): string {
  const q = t.quote.quote
  const buyer = q.side === 'sell' ? otherParty(q.quoter) : q.quoter
  const iBuy = buyer === ctx.me
  const legs = (iBuy ? q.terms : reversePackage(q.terms)).legs.map((l) => describeLegForTrader(l, q.terms)).join(' / ')
  const money = formatMoney(q.premium < 0n ? -q.premium : q.premium, ctx.decimals, ctx.asset)
  const [verb, cash] = tense === 'done' ? [iBuy ? 'bought' : 'sold', iBuy ? 'paid' : 'received'] : [iBuy ? 'buy' : 'sell', iBuy ? 'you pay' : 'you receive']
  return `Trade: you ${verb} ${q.terms.feed} ${isoDate(q.terms.expiry)} ${legs} for ${money} premium (${cash}), on ${q.quoter === ctx.me ? 'your' : `${ctx.peerName}'s`} quote`
}

/**
 * What a proposal does, as the Trade tab lists it (a heading, not the engine's type): "Open the
 * channel", "Trade: you buy … on Demo Desk's quote", "Settle 2 expired positions at the oracle's
 * price", "Close out 1 position", "Close the channel". What it pays is said beside it.
 */
export function proposalTitle(t: Transition | null, ctx: AuditContext): string {
  if (t === null) return 'Open the channel'
  switch (t.type) {
    case 'trade':
      return tradeInWords(t, ctx, 'proposed')
    case 'settle':
      return `Settle ${countOf(t.settlements.length, 'expired position')} at the oracle's price`
    case 'unwind':
      return `Close out ${countOf(t.positionIds.length, 'position')}`
    case 'final':
      return 'Close the channel'
  }
}

/**
 * The same heading for one of my intents (what became of it: IntentOutcome; a trade both signed in
 * the past tense), read from its
 * transition where this side still holds it, else from the intent's key (core/sync intentKey:
 * "settle:<ids>", "unwind:<ids>:<payment>", "open:<a>:<b>", "trade:<quote hash>").
 */
export function intentTitle(o: Pick<IntentOutcome, 'intent' | 'type' | 'status'>, t: Transition | null, ctx: AuditContext): string {
  // A trade both signed reads as the History tab has it ("you bought … (paid)").
  if (t?.type === 'trade' && o.status === 'done') return tradeInWords(t, ctx, 'done')
  if (t !== null) return proposalTitle(t, ctx)
  const ids = (field: string | undefined) => (field ? field.split(',').length : 0)
  const [, first] = o.intent.split(':')
  switch (o.type) {
    case 'open':
      return 'Open the channel'
    case 'trade':
      return 'Trade (its terms are in History & audit)'
    case 'settle':
      return `Settle ${countOf(ids(first), 'expired position')} at the oracle's price`
    case 'unwind':
      return `Close out ${countOf(ids(first), 'position')}`
    case 'final':
      return 'Close the channel'
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

/** `ms` as "2027-01-06 07:55:09.412 UTC": to the millisecond, where the gap between two times is the point. */
export function utcMillis(ms: number): string {
  return isDateTime(ms) ? `${isoTime(ms).slice(0, 23).replace('T', ' ')} UTC` : isoTime(ms)
}

/** A refusal kept as "CODE: message" (the engine's pending list, the race log) split into its code and its words. */
export function splitRefusal(text: string): { readonly code: string | null; readonly message: string } {
  const m = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/.exec(text)
  return m ? { code: m[1]!, message: m[2]! } : { code: null, message: text }
}

/** Who took part in a refusal, as the sentence names them: "you" or the counterparty's name. */
export interface RefusalParties {
  readonly proposer: string
  readonly refuser: string
}

const whose = (who: string) => (who === 'you' ? 'your' : `${who}'s`)
const theirs = (who: string) => (who === 'you' ? 'yours' : `${who}'s`)
const span = (ms: number) => (ms % 60_000 === 0 && ms >= 60_000 ? `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}` : `${ms / 1000} seconds`)

/**
 * The engine's STALE_TIMESTAMP refusal (core/sync/engine.ts decideSigning) as a trader reads it:
 * whose clock was ahead, the proposal's time to the millisecond, and the limit it broke (the
 * signing policy's). Null for any other refusal. "Stale" also means old, and the engine's "timestamp
 * … is in the future" next to a state stamped the same second read as a contradiction.
 */
export function clockRefusalInWords(code: string | null, message: string, who: RefusalParties): string | null {
  if (code !== 'STALE_TIMESTAMP') return null
  const future = /^timestamp (\d+) is in the future$/.exec(message)
  if (future) {
    const at = Number(future[1])
    return `${whose(who.proposer)} clock was ahead of ${theirs(who.refuser)}: the proposal was stamped ${utcMillis(at)}, more than ${span(DEFAULT_POLICY.maxFutureMs)} ahead of ${whose(who.refuser)} clock when it arrived (each side dates a proposal by the chain's time as it last read it)`
  }
  const old = /^timestamp (\S+) is too old to sign now$/.exec(message)
  if (old) {
    const at = Date.parse(old[1]!)
    const stamp = Number.isNaN(at) ? old[1]! : utcMillis(at)
    return `the proposal was stamped ${stamp}, more than ${span(DEFAULT_POLICY.maxAgeMs)} before the time on ${whose(who.refuser)} clock when it was checked: it waited too long for the second signature, or ${whose(who.proposer)} clock was behind ${theirs(who.refuser)}`
  }
  return null
}

/**
 * A refusal as a clause that names who refused and why: "Demo Desk refused it because your clock
 * was ahead of Demo Desk's: …" for the clock (clockRefusalInWords), else "Demo Desk refused it:
 * <the engine's reason, its times in UTC>". The one wording wherever a refusal is shown (a skipped
 * version, one of my proposals, a pending proposal), so a clock refusal never reads raw in one of them.
 */
export function refusalInWords(code: string | null, message: string, who: RefusalParties): string {
  const onClock = clockRefusalInWords(code, message, who)
  return onClock !== null ? `${who.refuser} refused it because ${onClock}` : `${who.refuser} refused it: ${readableReason(message)}`
}

/** A rejected entry of the document or local storage as the trader reads it: the reason in words, its code apart (failure.ts). */
export function rejectedFailure(r: Pick<RejectedEntry, 'reason' | 'code'>): Failure {
  return worded(readableReason(r.reason), r.code)
}

/**
 * What went wrong with one of my proposals, or null when nothing did (done, or no message). With
 * the counterparty's name (`peerName`) a refusal says who refused and why in words ("Demo Desk
 * refused it: …", a clock refusal explained), the engine's "the peer" is named, and a wait the
 * status already says (waiting for the counterparty to countersign) adds nothing.
 */
export function outcomeFailure(o: Pick<IntentOutcome, 'status' | 'message' | 'code'>, peerName?: string): Failure | null {
  if (o.status === 'done' || !o.message) return null
  // A refusal reads the same with or without the name (the network RFQ's fill passes none): never
  // "refused by party B: timestamp 1765000000000 is in the future".
  const refused = /^refused by party [AB]: ([\s\S]*)$/.exec(o.message)
  if (refused) return worded(refusalInWords(o.code, refused[1]!, { proposer: 'you', refuser: peerName ?? 'the counterparty' }), o.code)
  if (peerName === undefined) return worded(o.message, o.code)
  if (o.status === 'awaiting-peer') return null
  return worded(readableReason(o.message).replace(/\bthe peer\b/g, peerName), o.code)
}

/**
 * Why a pending proposal stands as it does, where its status does not say it (null: it does): one
 * refused says who refused it and why (refusalInWords, a clock refusal explained), the code apart.
 */
export function pendingFailure(p: Pick<PendingProposal, 'status' | 'reason'> & { readonly proposal: Pick<PendingProposal['proposal'], 'proposer'> }, ctx: Pick<AuditContext, 'me' | 'peerName'>): Failure | null {
  if (!p.reason || p.status === 'awaiting-approval' || p.status === 'awaiting-peer' || p.status === 'awaiting-me') return null
  const signedAt = /^already signed a state at version (\d+)$/.exec(p.reason)
  if (signedAt) return worded(`you already signed another state at v${signedAt[1]}, and an honest key signs one state per version`, null)
  const { code, message } = splitRefusal(p.reason)
  if (p.status !== 'refused') return worded(readableReason(message), code)
  // The engine lists my proposal as refused by the counterparty, and theirs as refused by my app.
  const mine = p.proposal.proposer === ctx.me
  return worded(refusalInWords(code, message, { proposer: mine ? 'you' : ctx.peerName, refuser: mine ? ctx.peerName : 'you' }), code)
}

/** Who has signed a proposal: "signed by you", "signed by Demo Desk", "signed by you and Demo Desk", "not signed yet". */
export function signedByInWords(signedBy: { readonly A: boolean; readonly B: boolean }, me: Party, peerName: string): string {
  const who = [signedBy[me] ? 'you' : null, signedBy[otherParty(me)] ? peerName : null].filter((x) => x !== null)
  return who.length === 0 ? 'not signed yet' : `signed by ${who.join(' and ')}`
}

/** What the History tab's Signatures column says of a row, and its tooltip: both sides named, never "A ✓ B ✓". */
export type SignaturesOf =
  | { readonly kind: 'pending'; readonly signedBy: { readonly A: boolean; readonly B: boolean } }
  /** A co-signed state whose signatures this browser verified (`kept`: when it accepted it; the document has since compacted it away). */
  | { readonly kind: 'verified'; readonly kept: boolean }

export function signaturesInWords(s: SignaturesOf, ctx: Pick<AuditContext, 'me' | 'peerName'>): { readonly text: string; readonly title: string } {
  const peer = ctx.peerName
  if (s.kind === 'verified') {
    return s.kept
      ? { text: 'both signed · verified when accepted', title: `Your signature and ${peer}'s were verified when this browser accepted the state; the shared document has since compacted it away` }
      : { text: 'both signed · verified', title: `Your signature and ${peer}'s on this state are verified by this browser` }
  }
  const mine = s.signedBy[ctx.me]
  const theirs = s.signedBy[otherParty(ctx.me)]
  const signed = signedByInWords(s.signedBy, ctx.me, peer)
  if (mine && theirs) return { text: `${signed} · not accepted yet`, title: `You and ${peer} have both signed; this browser has not accepted the state yet` }
  if (mine) return { text: `${signed} · waiting for ${peer}`, title: `You signed this proposal; it becomes a state once ${peer} signs it too` }
  if (theirs) return { text: `${signed} · waiting for you`, title: `${peer} signed this proposal; it becomes a state once you sign it too` }
  return { text: signed, title: `Neither you nor ${peer} has signed this proposal` }
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
 * Why the versions from..to were skipped before `next`, from the proposals this side saw there, with
 * the codes of any refusals apart (for the tooltip). Null when it saw none (the general explanation
 * is given then).
 */
export function gapInWords(from: number, to: number, next: { version: number; intent: string; proposer: string; timestamp?: number | null }, seen: readonly LostProposal[], ctx: AuditContext): Failure | null {
  const who = (p: Party) => (p === ctx.me ? 'you' : ctx.peerName)
  const parts: string[] = []
  const codes: string[] = []
  let clock = false
  for (let v = from; v <= to; v++) {
    const at = seen.filter((s) => s.version === v)
    const where = from === to ? '' : `at v${v} `
    if (at.length === 0) continue
    const refused = at.find((s) => s.refused !== null)
    const byA = at.find((s) => s.proposer === 'A')
    const byB = at.find((s) => s.proposer === 'B')
    if (refused) {
      const { code, message } = splitRefusal(refused.refused!)
      const parties = { proposer: who(refused.proposer), refuser: who(otherParty(refused.proposer)) }
      if (code !== null) codes.push(code)
      clock ||= clockRefusalInWords(code, message, parties) !== null
      parts.push(`${where}${parties.proposer} proposed ${refused.words}, and ${refusalInWords(code, message, parties)}`)
    } else if (byA && byB) {
      const [mine, theirs] = ctx.me === 'A' ? [byA, byB] : [byB, byA]
      const what = mine.intent === theirs.intent ? `you and ${ctx.peerName} both proposed ${mine.words}` : `you proposed ${mine.words} and ${ctx.peerName} proposed ${theirs.words}`
      parts.push(`${where}${what} at the same moment; each side had signed its own, and an honest key signs one state per version, so neither could get the second signature`)
    } else {
      const p = at[0]!
      parts.push(`${where}${who(p.proposer)} proposed ${p.words}, but ${who(otherParty(p.proposer))} had already signed another state at v${v} (a proposal crossed it), so it could not get the second signature`)
    }
  }
  if (parts.length === 0) return null
  const again = seen.find((s) => s.version >= from && s.version <= to && s.intent === next.intent)
  // After a clock refusal the re-proposal's own time, to the millisecond: the two stamps may share a second.
  const stamped = clock && next.timestamp != null ? `, stamped ${utcMillis(next.timestamp)}` : ''
  const tail = again ? ` The change was proposed again at v${next.version} by ${next.proposer}${stamped}.` : ` The next state is v${next.version}.`
  const range = from === to ? `v${from}` : `v${from}–v${to}`
  const text = parts.join('; ')
  return worded(`${range} never became a state: ${text}.${tail} Versions only need to increase.`, [...new Set(codes)].join(', '))
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
      const next = { version: a.version, intent: a.transition ? intentKey(a.transition) : '', proposer: proposerOf(a) === ctx.me ? 'you' : proposerOf(a) === null ? 'one of you' : ctx.peerName, timestamp: a.transition?.timestamp ?? null }
      const seenThere = gapInWords(from, to, next, seen, ctx)
      rows.push({
        kind: 'gap', version: range, hash: null, time: null, proposedBy: '—',
        change: seenThere?.text ?? `${range} never became a state: a proposal there lost a race (both sides proposed at the same version at once, or one side had already signed another state at it), so neither could get the second signature; the change was proposed again at v${a.version}. Versions only need to increase.`,
        ...(seenThere?.code ? { code: seenThere.code } : {}),
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
