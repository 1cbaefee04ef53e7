// The builder's edits to an RFQ ticket draft (templates, leg edits). The draft's types and its one
// conversion into option terms live in core (`core/ticket.ts`), shared with the desk.
import { MAX_LEGS, parseUnits } from '../../core/index.ts'
import type { DraftLeg, FieldError, PackageDraft } from '../../core/index.ts'

export * from '../../core/ticket.ts'

/** The errors for one field id, in order. */
export function errorsFor(errors: readonly FieldError[], field: string): string[] {
  return errors.filter((e) => e.field === field).map((e) => e.message)
}

// ---- editing ----

export type TemplateName = 'put' | 'cappedCall' | 'callSpread' | 'putSpread' | 'straddle' | 'strangle' | 'riskReversal' | 'collar' | 'butterfly'

/**
 * The RFQ builder's templates; `hint` says the legs (the button's title). `apart`: its strikes are
 * set apart from each other around spot, so it waits for a spot (blank strikes filled later by
 * `fillBlankStrikes` would all land at 90% or 110%: a call spread of one strike, a butterfly of none).
 */
export const TEMPLATES: readonly { name: TemplateName; label: string; legs: number; hint?: string; apart?: true }[] = [
  { name: 'put', label: 'Put', legs: 1 },
  { name: 'cappedCall', label: 'Capped call', legs: 1 },
  { name: 'callSpread', label: 'Call spread', legs: 2, apart: true },
  { name: 'putSpread', label: 'Put spread', legs: 2, apart: true },
  { name: 'straddle', label: 'Straddle', legs: 2, hint: 'long put and long capped call at spot', apart: true },
  { name: 'strangle', label: 'Strangle', legs: 2, hint: 'long put below spot, long capped call above' },
  { name: 'riskReversal', label: 'Risk reversal', legs: 2, hint: 'long capped call above spot, short put below' },
  { name: 'collar', label: 'Collar', legs: 2, hint: 'long put below spot, short capped call above' },
  { name: 'butterfly', label: 'Butterfly', legs: 3, hint: 'capped calls: long 1 below spot, short 2 at spot, long 1 above', apart: true },
]

/** A strike near `spot x factor`, rounded to a tenth of spot's order of magnitude (1,000 for BTC at 95,000). */
export function roundStrike(spot: number, factor: number): string {
  if (!(spot > 0 && Number.isFinite(spot))) return ''
  const step = 10 ** Math.max(0, Math.floor(Math.log10(spot)) - 1)
  return String(Math.max(step, Math.round((spot * factor) / step) * step))
}

/**
 * The draft with a template's legs appended (from the buyer's view; strikes around `spot` when
 * known, blank otherwise; a call of the strategies capped at 130% of spot). Refuses to pass MAX_LEGS.
 */
export function addTemplate(draft: PackageDraft, template: TemplateName, spot: number | undefined, newId: () => string): PackageDraft {
  const s = spot ?? Number.NaN
  const k = (f: number) => roundStrike(s, f)
  const leg = (kind: DraftLeg['kind'], strike: string, direction: DraftLeg['direction'], cap = '', quantity = '1'): DraftLeg => ({ id: newId(), kind, strike, cap, quantity, direction })
  // A strategy's call carries a cap, as the capped call does: a short one uncapped would leave a loss unbounded.
  const capped = (strike: string, direction: DraftLeg['direction'], quantity?: string) => leg('call', strike, direction, k(1.3), quantity)
  // The butterfly's wings equidistant from its body (rounding 0.9 and 1.1 alone can skew them): the
  // calls' common cap above the upper wing leaves it the plain butterfly, 0 beyond the wings.
  const [low, mid] = [k(0.9), k(1)]
  const high = mid && String(2 * Number(mid) - Number(low))
  const add: DraftLeg[] =
    template === 'put' ? [leg('put', k(0.9), 'long')]
    : template === 'cappedCall' ? [capped(k(1.1), 'long')]
    : template === 'callSpread' ? [leg('call', k(1.0), 'long'), leg('call', k(1.2), 'short')]
    : template === 'putSpread' ? [leg('put', k(1.0), 'long'), leg('put', k(0.8), 'short')]
    : template === 'straddle' ? [leg('put', mid, 'long'), capped(mid, 'long')]
    : template === 'strangle' ? [leg('put', low, 'long'), capped(k(1.1), 'long')]
    : template === 'riskReversal' ? [capped(k(1.1), 'long'), leg('put', low, 'short')]
    : template === 'collar' ? [leg('put', low, 'long'), capped(k(1.1), 'short')]
    : [capped(low, 'long'), capped(mid, 'short', '2'), capped(high, 'long')]
  if (draft.legs.length + add.length > MAX_LEGS) return draft
  return { ...draft, legs: [...draft.legs, ...add] }
}

export function updateLeg(draft: PackageDraft, id: string, patch: Partial<Omit<DraftLeg, 'id'>>): PackageDraft {
  return {
    ...draft,
    legs: draft.legs.map((l) => {
      if (l.id !== id) return l
      const next = { ...l, ...patch }
      // A put has no cap: drop it when the kind changes, rather than leave an invalid field.
      if (next.kind === 'put') next.cap = ''
      return next
    }),
  }
}

export function removeLeg(draft: PackageDraft, id: string): PackageDraft {
  return { ...draft, legs: draft.legs.filter((l) => l.id !== id) }
}

export function emptyDraft(feed: string, expiryDate: string): PackageDraft {
  return { feed, expiryDate, side: 'buy', legs: [], note: '' }
}

/**
 * The draft on another feed. Each strike and cap keeps its moneyness (a 90% put stays a 90% put)
 * when both feeds' spots are known, and is left blank otherwise (filled once the spot is known):
 * copied as it was, a BTC strike of 38,000 on ETH at 371 priced a package worth 564,435 USDC.
 */
export function changeFeed(draft: PackageDraft, feed: string, spots: Readonly<Record<string, { readonly spot: number } | undefined>>): PackageDraft {
  if (feed === draft.feed) return draft
  const from = spots[draft.feed]?.spot
  const to = spots[feed]?.spot
  const move = (v: string): string => {
    let n: number
    try {
      n = Number(parseUnits(v, 12)) / 1e12 // the app's one reading of a typed number (a ratio only: no precision needed)
    } catch {
      return v // not a number: left for the draft's own check to name
    }
    if (!(n > 0)) return v
    return from !== undefined && to !== undefined ? roundStrike(to, n / from) : ''
  }
  return { ...draft, feed, legs: draft.legs.map((l) => ({ ...l, strike: move(l.strike), cap: move(l.cap) })) }
}

/**
 * The draft with its blank strikes (only those) set around `spot` as the templates set them (puts at
 * 90%, calls at 110% with a blank cap at 130%): for a draft started before the oracle's first mark.
 * A template whose strikes stand apart (`apart`) is not offered before then.
 */
export function fillBlankStrikes(draft: PackageDraft, spot: number): PackageDraft {
  if (!draft.legs.some((l) => l.strike === '')) return draft
  const fill = (l: DraftLeg): DraftLeg =>
    l.kind === 'put' ? { ...l, strike: roundStrike(spot, 0.9) } : { ...l, strike: roundStrike(spot, 1.1), cap: l.cap === '' ? roundStrike(spot, 1.3) : l.cap }
  return { ...draft, legs: draft.legs.map((l) => (l.strike === '' ? fill(l) : l)) }
}

/**
 * The same position asked the other way round: every leg's direction flipped and the requester on
 * the other side. For a package worth less than nothing to its buyer (a risk reversal or a collar
 * whose short leg is worth more than its long one): a premium is paid by the buyer, never to it, so
 * no quoter can price it as asked; reversed, the requester holds the same legs and the premium
 * goes the other way.
 */
export function reversedDraft(draft: PackageDraft): PackageDraft {
  return { ...draft, side: draft.side === 'buy' ? 'sell' : 'buy', legs: draft.legs.map((l) => ({ ...l, direction: l.direction === 'long' ? 'short' : 'long' })) }
}
