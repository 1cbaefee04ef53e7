// The builder's edits to an RFQ ticket draft (templates, leg edits). The draft's types and its one
// conversion into option terms live in core (`core/ticket.ts`), shared with the desk.
import { formatUnits, MAX_LEGS, parseUnits } from '../../core/index.ts'
import { feedSpec } from '../../core/index.ts'
import type { ChannelSpec, DraftLeg, FieldError, PackageDraft } from '../../core/index.ts'

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

/**
 * The power of ten a template's strikes step by near `spot`: a tenth of spot's order of magnitude
 * (1,000 for BTC at 95,000; 0.1 at 4.2; 0.01 at 0.35), never finer than the feed's price decimals
 * (a strike must parse at them: core/ticket.ts draftLegToLeg).
 */
function stepExponent(spot: number, priceDecimals: number): number {
  return Math.max(Math.floor(Math.log10(spot)) - 1, -priceDecimals)
}

/** How many steps of 10^`exp` are nearest `spot x factor` (0 when less than half a step). */
function stepsNear(spot: number, factor: number, exp: number): number {
  // Divided by a whole power of ten, multiplied by one below 1: 0.1 and 0.01 are not exact in binary.
  return Math.round(exp >= 0 ? (spot * factor) / 10 ** exp : spot * factor * 10 ** -exp)
}

/** `steps` x 10^`exp` as exact decimal text ("0.32", "88000"), never a float's "0.30000000000000004". */
function stepsText(steps: number, exp: number): string {
  return formatUnits(BigInt(steps) * 10n ** BigInt(Math.max(exp, 0)), Math.max(-exp, 0), { group: false, minDecimals: 0 })
}

/**
 * The price decimals of `feed` a template's strikes are written at: the spec's, or 0 (whole numbers,
 * which parse at any feed's) for a feed the spec does not list (the draft's own check names it).
 */
export function strikeDecimals(spec: ChannelSpec, feed: string): number {
  return feedSpec(spec, feed)?.priceDecimals ?? 0
}

/** Does `spot` give a grid at all (a positive finite price)? */
const knownSpot = (spot: number | undefined): spot is number => spot !== undefined && spot > 0 && Number.isFinite(spot)

/**
 * A strike near `spot x factor` on the feed's price grid (`stepExponent`), as exact decimal text; ''
 * when spot is unknown or the nearest step is 0 (the feed's decimals cannot write it).
 */
export function roundStrike(spot: number, factor: number, priceDecimals: number): string {
  if (!knownSpot(spot)) return ''
  const exp = stepExponent(spot, priceDecimals)
  const n = stepsNear(spot, factor, exp)
  return n > 0 ? stepsText(n, exp) : ''
}

/** A template's strikes and cap as steps of the grid, and their order (lowest first) as the template means it. */
function templateSteps(template: TemplateName, spot: number, priceDecimals: number): { exp: number; legs: [DraftLeg['kind'], DraftLeg['direction'], number, number | null, string][]; order: number[] } {
  const exp = stepExponent(spot, priceDecimals)
  const [down, low, mid, high, up, cap] = [0.8, 0.9, 1, 1.1, 1.2, 1.3].map((f) => stepsNear(spot, f, exp)) as [number, number, number, number, number, number]
  // The butterfly's wings equidistant from its body (rounding 0.9 and 1.1 alone can skew them): the
  // calls' common cap above the upper wing leaves it the plain butterfly, 0 beyond the wings.
  const wing = 2 * mid - low
  // [kind, buyer's direction, strike, cap, quantity]; a strategy's call carries a cap, as the capped
  // call does: a short one uncapped would leave a loss unbounded.
  switch (template) {
    case 'put': return { exp, legs: [['put', 'long', low, null, '1']], order: [low] }
    case 'cappedCall': return { exp, legs: [['call', 'long', high, cap, '1']], order: [high, cap] }
    case 'callSpread': return { exp, legs: [['call', 'long', mid, null, '1'], ['call', 'short', up, null, '1']], order: [mid, up] }
    case 'putSpread': return { exp, legs: [['put', 'long', mid, null, '1'], ['put', 'short', down, null, '1']], order: [down, mid] }
    case 'straddle': return { exp, legs: [['put', 'long', mid, null, '1'], ['call', 'long', mid, cap, '1']], order: [mid, cap] }
    case 'strangle': return { exp, legs: [['put', 'long', low, null, '1'], ['call', 'long', high, cap, '1']], order: [low, high, cap] }
    case 'riskReversal': return { exp, legs: [['call', 'long', high, cap, '1'], ['put', 'short', low, null, '1']], order: [low, high, cap] }
    case 'collar': return { exp, legs: [['put', 'long', low, null, '1'], ['call', 'short', high, cap, '1']], order: [low, high, cap] }
    case 'butterfly': return { exp, legs: [['call', 'long', low, cap, '1'], ['call', 'short', mid, cap, '2'], ['call', 'long', wing, cap, '1']], order: [low, mid, wing, cap] }
  }
}

/** Each above the one before, the first above 0. */
const rising = (steps: readonly number[]): boolean => steps.every((n, i) => n > (i === 0 ? 0 : steps[i - 1]!))

/**
 * Why a template cannot be set around `spot` on a feed with `priceDecimals` (its strikes would round
 * onto each other, or to 0, in the feed's smallest price step: a call spread of one strike, a cap at
 * its strike), or null. Null too while spot is unknown (the template's strikes are then left blank).
 */
export function templateRefusal(template: TemplateName, spot: number | undefined, priceDecimals: number): string | null {
  if (!knownSpot(spot)) return null
  const t = templateSteps(template, spot, priceDecimals)
  if (rising(t.order)) return null
  const label = TEMPLATES.find((x) => x.name === template)?.label ?? template
  return `spot ${spot} is too low to set a ${label.toLowerCase()}'s strikes apart in the feed's price steps of ${stepsText(1, t.exp)} (${priceDecimals} decimals)`
}

/**
 * The draft with a template's legs appended (from the buyer's view; strikes around `spot` when
 * known, blank otherwise; a call of the strategies capped at 130% of spot), on the grid of the
 * feed's `priceDecimals` (`strikeDecimals`).
 * Refuses (the draft unchanged) to pass MAX_LEGS, and a template `templateRefusal` refuses.
 */
export function addTemplate(draft: PackageDraft, template: TemplateName, spot: number | undefined, newId: () => string, priceDecimals: number): PackageDraft {
  const n = TEMPLATES.find((t) => t.name === template)?.legs ?? 0
  if (draft.legs.length + n > MAX_LEGS || templateRefusal(template, spot, priceDecimals) !== null) return draft
  // Spot unknown: the template's shape alone (at a spot of 1), every strike and cap blank.
  const t = templateSteps(template, knownSpot(spot) ? spot : 1, priceDecimals)
  const text = (steps: number | null) => (steps === null || !knownSpot(spot) ? '' : stepsText(steps, t.exp))
  const add = t.legs.map(([kind, direction, strike, cap, quantity]): DraftLeg => ({ id: newId(), kind, strike: text(strike), cap: text(cap), quantity, direction }))
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
 * The draft on another feed, whose prices have `priceDecimals`. Each strike and cap keeps its
 * moneyness (a 90% put stays a 90% put) when both feeds' spots and the new feed's decimals are known,
 * and is left blank otherwise (filled once the spot is known): copied as it was, a BTC strike of
 * 38,000 on ETH at 371 priced a package worth 564,435 USDC. All are left blank too when the new
 * feed's price step would merge two that differ (a spread of one strike, a cap at its strike).
 */
export function changeFeed(draft: PackageDraft, feed: string, spots: Readonly<Record<string, { readonly spot: number } | undefined>>, priceDecimals: number | undefined): PackageDraft {
  if (feed === draft.feed) return draft
  const from = spots[draft.feed]?.spot
  const to = spots[feed]?.spot
  const valueOf = (v: string): number | null => {
    let n: number
    try {
      n = Number(parseUnits(v, 12)) / 1e12 // the app's one reading of a typed number (a ratio only: no precision needed)
    } catch {
      return null // not a number: left for the draft's own check to name
    }
    return n > 0 ? n : null
  }
  const known = from !== undefined && to !== undefined && priceDecimals !== undefined
  const moved = new Map<string, { was: number; now: string }>() // for each number typed in the draft
  for (const l of draft.legs) {
    for (const v of [l.strike, l.cap]) {
      const n = valueOf(v)
      if (n !== null) moved.set(v, { was: n, now: known ? roundStrike(to, n / from, priceDecimals) : '' })
    }
  }
  // Their order kept strictly (distinct stay distinct, none at 0), or none kept.
  const order = [...moved.values()].sort((x, y) => x.was - y.was)
  const kept = order.every((m, i) => m.now !== '' && (i === 0 || m.was === order[i - 1]!.was || Number(m.now) > Number(order[i - 1]!.now)))
  const move = (v: string): string => { const m = moved.get(v); return m === undefined ? v : kept ? m.now : '' }
  return { ...draft, feed, legs: draft.legs.map((l) => ({ ...l, strike: move(l.strike), cap: move(l.cap) })) }
}

/**
 * The draft with its blank strikes (only those) set around `spot` as the templates set them (puts at
 * 90%, calls at 110% with a blank cap at 130%) on the grid of the feed's `priceDecimals`: for a draft
 * started before the oracle's first mark. A template whose strikes stand apart (`apart`) is not
 * offered before then. Left blank when that grid cannot set 90%, 110% and 130% apart (a strangle
 * would become a straddle, a capped call's cap its strike): the trader types them.
 */
export function fillBlankStrikes(draft: PackageDraft, spot: number, priceDecimals: number): PackageDraft {
  if (!draft.legs.some((l) => l.strike === '')) return draft
  if (templateRefusal('strangle', spot, priceDecimals) !== null) return draft // the put at 90%, the call at 110% capped at 130%
  const fill = (l: DraftLeg): DraftLeg =>
    l.kind === 'put' ? { ...l, strike: roundStrike(spot, 0.9, priceDecimals) } : { ...l, strike: roundStrike(spot, 1.1, priceDecimals), cap: l.cap === '' ? roundStrike(spot, 1.3, priceDecimals) : l.cap }
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
