// The audit trail in words: what each co-signed version changed, who proposed it, and why a
// version number was skipped. Pure; HistoryTab shows it.
import { otherParty, type Hex, type Party, type Transition } from '../../core/index.ts'
import { reversePackage } from '../../core/pricing/index.ts'
import { formatMoney } from '../money/money.ts'
import { formatPrice, formatUtc } from '../risk/format.ts'
import { describeLegForTrader } from '../risk/positions.ts'

export interface AuditRow {
  readonly kind: 'state' | 'gap'
  readonly version: string
  readonly hash: Hex | null
  readonly change: string
  readonly time: number | null
  readonly proposedBy: string
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
      return `Trade: you ${iBuy ? 'bought' : 'sold'} ${q.terms.feed} ${new Date(q.terms.expiry).toISOString().slice(0, 10)} ${legs} for ${money(q.premium)} premium (${iBuy ? 'paid' : 'received'}), on ${q.quoter === ctx.me ? 'your' : `${ctx.peerName}'s`} quote`
    }
    case 'settle': {
      const prices = t.settlements.map((s) => `${s.attestation.attestation.feed} ${formatPrice(s.attestation.attestation.price, s.attestation.attestation.decimals)} at ${formatUtc(s.attestation.attestation.instant)}`)
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

/** Newest first; a skipped version range gets a row that says why. */
export function auditRows(accepted: readonly { hash: Hex; version: number; transition: Transition | null; proposer: Party | null }[], ctx: AuditContext): AuditRow[] {
  const rows: AuditRow[] = []
  const sorted = [...accepted].sort((a, b) => a.version - b.version)
  sorted.forEach((a, i) => {
    const prev = sorted[i - 1]
    if (prev && a.version > prev.version + 1) {
      const from = prev.version + 1
      const to = a.version - 1
      const range = from === to ? `v${from}` : `v${from}–v${to}`
      rows.push({
        kind: 'gap', version: range, hash: null, time: null, proposedBy: '—',
        change: `${range} never became a state: a proposal there lost a race (both sides proposed at the same version at once, or one side had already signed another state at it), so neither could get the second signature; the change was proposed again at v${a.version}. Versions only need to increase.`,
      })
    }
    const proposer = a.transition?.type === 'trade' ? otherParty(a.transition.quote.quote.quoter) : a.proposer
    rows.push({
      kind: 'state', version: `v${a.version}`, hash: a.hash, time: a.transition?.timestamp ?? null,
      proposedBy: proposer === null ? '—' : proposer === ctx.me ? 'you' : ctx.peerName,
      change: changeInWords(a.transition, a.version, ctx),
    })
  })
  return rows.reverse()
}
