// What each channel needs from the trader, for the channel list: a trader with several
// counterparties sees at a glance which channel is in dispute (and until when it can be answered),
// which holds a proposal only they can approve, where the other side's quotes are live (on a
// request in the Trade tab, or on the trader's close-out in the Risk tab), and which positions
// expired and wait for their settlement (after a finalize: on chain, before the contract's window
// for it closes), without opening every channel. Computed from the
// channel's session view and the contract's view of it (chainViews.ts, reported by useOnChain).
import { settlementEnd, type SettlementChannelView } from '../../channel-contract/client/index.ts'
import { countOf, endedOnContract, type Position } from '../../core/index.ts'
import type { ChannelView } from '../../core/sync/index.ts'
import { formatTimeToExpiry } from '../risk/format.ts'
import { peerLiveQuotes } from '../channel/useTradeKeys.ts'
import { deadlineInWords, settleWindowOpen } from '../channel/disputeText.ts'
import { closeOutRequest, closeOutTicketIds, openCloseOutTickets } from '../risk/closeOut.ts'

export type ChannelStanding = 'starting' | 'opening' | 'open' | 'closing' | 'disputed' | 'finalized' | 'closed'

export interface AttentionItem {
  readonly kind: 'dispute' | 'approve' | 'quotes' | 'close-out' | 'settle'
  /** 'act': the trader should look now (a deadline runs, or nothing moves without them); 'info': worth knowing. */
  readonly level: 'act' | 'info'
  readonly text: string
}

export interface ChannelAttention {
  readonly standing: ChannelStanding
  readonly items: readonly AttentionItem[]
}

/**
 * Where a channel stands and what in it needs the trader. `view`: the session's (null while the
 * channel's runtime starts); `chain`: the contract's view (null: not on the contract; undefined: not
 * read yet); `now`: the chain's clock (deadlines and expiries are the contract's and the oracle's).
 */
export function channelAttention(view: ChannelView | null, chain: SettlementChannelView | null | undefined, now: number): ChannelAttention {
  if (view === null) return { standing: 'starting', items: [] }
  const items: AttentionItem[] = []
  const onChain = chain?.status ?? 'none'
  // A channel the contract has not been read for yet (chain undefined) stands as its session says.
  const latest = view.latest?.state ?? null
  let standing: ChannelStanding
  if (onChain === 'disputed' || endedOnContract(onChain)) standing = onChain
  // Signed but not on the contract yet (or not read yet, then the session's word stands).
  else if (latest === null || chain === null || (onChain === 'none' && chain !== undefined)) standing = 'opening'
  else standing = latest.isFinal ? 'closing' : 'open'

  const dispute = onChain === 'disputed' ? chain?.dispute ?? null : null
  if (dispute) {
    const left = dispute.deadline - now
    items.push({
      kind: 'dispute',
      level: 'act',
      text: left > 0 ? `Dispute on chain with v${dispute.version}: the challenge window ends in ${formatTimeToExpiry(dispute.deadline, now)}` : `Dispute on chain with v${dispute.version}: the challenge window is over, it can be finalized`,
    })
  }
  // Nothing in the channel moves money once the contract finalized or closed it: no proposal to approve.
  if (!endedOnContract(onChain)) {
    const approvals = view.pending.filter((p) => p.status === 'awaiting-approval').length
    if (approvals > 0) items.push({ kind: 'approve', level: 'act', text: `${countOf(approvals, 'proposal')} ${approvals === 1 ? 'awaits' : 'await'} your approval` })
  }
  if (standing === 'open' && latest !== null) {
    // What the Trade tab shows: not the quotes on my close-out tickets (the Risk tab's), open or over.
    const closeOuts = closeOutTicketIds(view.rfqs, view.me)
    const live = peerLiveQuotes(view.quotes, view.me, now).filter((q) => !closeOuts.has(q.signed.quote.rfqId)).length
    if (live > 0) items.push({ kind: 'quotes', level: 'info', text: `${countOf(live, 'live quote')} from the other side` })
    const closeOut = closeOutQuoted(view, latest.positions, now)
    if (closeOut) items.push({ kind: 'close-out', level: 'info', text: closeOut })
  }
  if (latest !== null && (standing === 'open' || standing === 'closing' || standing === 'disputed')) {
    const expired = latest.positions.filter((p) => p.terms.expiry <= now).length
    if (expired > 0) items.push({ kind: 'settle', level: 'info', text: `${countOf(expired, 'position')} expired, awaiting settlement` })
  }
  if (standing === 'finalized' && chain) items.push(...lockedOnChain(chain, now))
  return { standing, items }
}

/** Expired positions a finalize left locked on the contract whose settlement window is open, and the earliest end of those windows. */
export interface SettleDue {
  readonly positions: readonly Position[]
  /** The earliest `settlementEnd` among them (ms, chain time): after it that one is only refunded. */
  readonly end: number
}

/**
 * What a finalized channel asks the trader to settle on chain now (settleWindowOpen over the
 * positions the contract still holds locked), null when nothing: not finalized, the finalized state
 * not known here, nothing expired, or every window over. The channel list's "act" item and the
 * notice (notify/lockedDue.ts) both read it, so they name the same positions and deadline.
 */
export function settleDueOnChain(chain: Pick<SettlementChannelView, 'status' | 'lockedPositions' | 'finalizableAt'>, now: number): SettleDue | null {
  const finalizableAt = chain.finalizableAt
  if (chain.status !== 'finalized' || !chain.lockedPositions || finalizableAt === null) return null
  const positions = chain.lockedPositions.filter((p) => settleWindowOpen(p, finalizableAt, now))
  if (positions.length === 0) return null
  return { positions, end: Math.min(...positions.map((p) => settlementEnd(p.terms.expiry, finalizableAt))) }
}

/**
 * A finalized channel's positions the contract still holds: those expired settle at the oracle's
 * price only until their window ends (then each side gets only its own lock back, and a long
 * option's payoff is lost), so they ask the trader now; those past it wait for a refund.
 */
function lockedOnChain(chain: SettlementChannelView, now: number): AttentionItem[] {
  const finalizableAt = chain.finalizableAt
  if (!chain.lockedPositions || finalizableAt === null) return []
  const items: AttentionItem[] = []
  const due = settleDueOnChain(chain, now)
  if (due) {
    const n = due.positions.length
    items.push({
      kind: 'settle',
      level: 'act',
      text: `Finalized with ${countOf(n, 'expired position')} still locked: settle ${n === 1 ? 'it' : 'them'} on chain within ${formatTimeToExpiry(due.end, now)} ` +
        `(until ${deadlineInWords(due.end)}); after that each side gets only its own lock back`,
    })
  }
  const refundable = chain.lockedPositions.filter((p) => now >= settlementEnd(p.terms.expiry, finalizableAt)).length
  if (refundable > 0) items.push({ kind: 'settle', level: 'info', text: `${countOf(refundable, 'locked position')} past ${refundable === 1 ? 'its' : 'their'} settlement window: refund the locks on chain` })
  return items
}

/**
 * My open close-out request as the Risk tab's Close out shows it (closeOutRequest): quoted, in full
 * or for some of its positions, or null (no request, or no live quote on it).
 */
function closeOutQuoted(view: ChannelView, positions: readonly Position[], now: number): string | null {
  const tickets = openCloseOutTickets(view.rfqs, view.me)
  if (tickets.length === 0) return null
  const request = closeOutRequest({ tickets, positions, quotes: view.quotes, me: view.me, now })
  const quoted = request?.rows.filter((r) => r.quote !== null).length ?? 0
  if (quoted === 0) return null
  const of = request!.ready ? '' : ` for ${quoted} of ${request!.rows.length} positions`
  return `your close-out is quoted${of}: see Close out in the Risk tab`
}

/** How many channels need the trader now (an 'act' item). */
export function needingAction(all: Iterable<ChannelAttention>): number {
  let n = 0
  for (const a of all) if (a.items.some((i) => i.level === 'act')) n++
  return n
}
