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

export type TemplateName = 'put' | 'cappedCall' | 'callSpread' | 'putSpread'

export const TEMPLATES: readonly { name: TemplateName; label: string; legs: number }[] = [
  { name: 'put', label: 'Put', legs: 1 },
  { name: 'cappedCall', label: 'Capped call', legs: 1 },
  { name: 'callSpread', label: 'Call spread', legs: 2 },
  { name: 'putSpread', label: 'Put spread', legs: 2 },
]

/** A strike near `spot x factor`, rounded to a tenth of spot's order of magnitude (1,000 for BTC at 95,000). */
export function roundStrike(spot: number, factor: number): string {
  if (!(spot > 0 && Number.isFinite(spot))) return ''
  const step = 10 ** Math.max(0, Math.floor(Math.log10(spot)) - 1)
  return String(Math.max(step, Math.round((spot * factor) / step) * step))
}

/**
 * The draft with a template's legs appended (long the protection or the upside, from the buyer's
 * view; strikes around `spot` when known, blank otherwise). Refuses to pass MAX_LEGS.
 */
export function addTemplate(draft: PackageDraft, template: TemplateName, spot: number | undefined, newId: () => string): PackageDraft {
  const s = spot ?? Number.NaN
  const k = (f: number) => roundStrike(s, f)
  const leg = (kind: DraftLeg['kind'], strike: string, direction: DraftLeg['direction'], cap = ''): DraftLeg => ({ id: newId(), kind, strike, cap, quantity: '1', direction })
  const add: DraftLeg[] =
    template === 'put' ? [leg('put', k(0.9), 'long')]
    : template === 'cappedCall' ? [leg('call', k(1.1), 'long', k(1.3))]
    : template === 'callSpread' ? [leg('call', k(1.0), 'long'), leg('call', k(1.2), 'short')]
    : [leg('put', k(1.0), 'long'), leg('put', k(0.8), 'short')]
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
 * The draft with its blank strikes (only those) set around `spot`, as the put template would have
 * set them (puts below spot, calls above): for a draft started before the oracle's first mark.
 */
export function fillBlankStrikes(draft: PackageDraft, spot: number): PackageDraft {
  if (!draft.legs.some((l) => l.strike === '')) return draft
  return { ...draft, legs: draft.legs.map((l) => (l.strike === '' ? { ...l, strike: roundStrike(spot, l.kind === 'put' ? 0.9 : 1.1) } : l)) }
}
