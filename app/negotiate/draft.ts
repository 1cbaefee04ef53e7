// The RFQ ticket both traders edit (plain JSON strings in a shared Yjs map) and its one conversion
// into option terms: parsed exactly with parseUnits, validated by core's parseOptionPackage, and
// checked for bounded loss by core's maxLoss. Field ids name what the trader edits: "feed",
// "expiryDate", "legs", "legs.<legId>.strike", ...; errors and presence both use them.
import {
  expiryOn,
  isProtocolError,
  MAX_LEGS,
  maxLoss,
  ParseError,
  parseOptionPackage,
  parseUnits,
  toWire,
  type MaxLoss,
  type OptionLeg,
  type OptionPackage,
} from '../../core/index.ts'

export interface DraftLeg {
  /** Stable id (survives concurrent inserts and removals by the other trader). */
  id: string
  kind: 'put' | 'call'
  /** Price units as typed ("95,000"). */
  strike: string
  /** Calls only; '' for none. */
  cap: string
  /** Underlying units as typed ("0.5"). */
  quantity: string
  /** From the package buyer's point of view. */
  direction: 'long' | 'short'
}

export interface PackageDraft {
  feed: string
  /** YYYY-MM-DD; the expiry is at 08:00 UTC that day. */
  expiryDate: string
  /** The requester's intent: buy or sell the package. */
  side: 'buy' | 'sell'
  legs: DraftLeg[]
  note: string
}

export interface FeedSpec {
  readonly name: string
  readonly priceDecimals: number
  readonly quantityDecimals: number
}

/** What the channel settles in and which feeds its oracle attests. */
export interface ChannelSpec {
  readonly asset: string
  readonly assetDecimals: number
  /** The oracle's public key (hex). */
  readonly oracle: string
  readonly feeds: readonly FeedSpec[]
}

export interface FieldError {
  readonly field: string
  readonly message: string
}

export type DraftResult = { ok: true; pkg: OptionPackage; loss: MaxLoss } | { ok: false; errors: FieldError[] }

export const legField = (legId: string, name: keyof DraftLeg | null = null): string => (name ? `legs.${legId}.${name}` : `legs.${legId}`)

export function feedSpec(spec: ChannelSpec, feed: string): FeedSpec | undefined {
  return spec.feeds.find((f) => f.name === feed)
}

/** Parses one typed leg into terms; errors name `legs.<id>.<field>`. */
/** Everything of a package but its legs, from the channel, the feed and the expiry instant. */
export function packageHeader(spec: ChannelSpec, feed: FeedSpec, expiry: number): Omit<OptionPackage, 'legs'> {
  return {
    feed: feed.name,
    priceDecimals: feed.priceDecimals,
    quantityDecimals: feed.quantityDecimals,
    asset: spec.asset,
    assetDecimals: spec.assetDecimals,
    expiry,
    oracle: spec.oracle,
  }
}

export function draftLegToLeg(leg: DraftLeg, feed: FeedSpec): { ok: true; leg: OptionLeg } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = []
  const num = (name: 'strike' | 'cap' | 'quantity', decimals: number, what: string): bigint | null => {
    const field = legField(leg.id, name)
    if (leg[name].trim() === '') {
      errors.push({ field, message: `enter a ${what}` })
      return null
    }
    try {
      const v = parseUnits(leg[name], decimals, field)
      if (v <= 0n) {
        errors.push({ field, message: `${what} must be greater than 0` })
        return null
      }
      return v
    } catch (e) {
      errors.push({ field, message: e instanceof ParseError ? `${what}: ${e.reason}` : `${what}: ${String(e)}` })
      return null
    }
  }
  if (leg.kind !== 'put' && leg.kind !== 'call') errors.push({ field: legField(leg.id, 'kind'), message: 'choose put or call' })
  if (leg.direction !== 'long' && leg.direction !== 'short') errors.push({ field: legField(leg.id, 'direction'), message: 'choose long or short' })
  const strike = num('strike', feed.priceDecimals, 'strike')
  let cap: bigint | null = null
  if (leg.cap.trim() !== '') {
    if (leg.kind === 'put') errors.push({ field: legField(leg.id, 'cap'), message: 'only calls have a cap' })
    else {
      cap = num('cap', feed.priceDecimals, 'cap')
      if (cap !== null && strike !== null && cap <= strike) {
        errors.push({ field: legField(leg.id, 'cap'), message: 'cap must be above the strike' })
      }
    }
  }
  const quantity = num('quantity', feed.quantityDecimals, 'quantity')
  if (errors.length > 0 || strike === null || quantity === null) return { ok: false, errors }
  return { ok: true, leg: { kind: leg.kind, strike, cap, quantity, direction: leg.direction } }
}

/** Core's field path ("terms.legs.1.cap") as the draft's field id ("legs.<id>.cap"). */
function draftFieldOf(coreField: string, draft: PackageDraft): string {
  const parts = coreField.split('.').slice(1) // drop the "terms" root
  if (parts[0] === 'expiry') return 'expiryDate'
  if (parts[0] === 'feed') return 'feed'
  if (parts[0] === 'legs') {
    const leg = parts[1] !== undefined ? draft.legs[Number(parts[1])] : undefined
    if (leg === undefined) return 'legs'
    const name = parts[2]
    return name === 'strike' || name === 'cap' || name === 'quantity' || name === 'kind' || name === 'direction' ? legField(leg.id, name) : legField(leg.id)
  }
  return 'package'
}

/**
 * The draft as option terms, or every error found, each naming its field. `now` (ms) rejects an
 * expiry that is not in the future.
 */
export function draftToPackage(draft: PackageDraft, spec: ChannelSpec, now: number): DraftResult {
  const errors: FieldError[] = []
  const feed = feedSpec(spec, draft.feed)
  if (feed === undefined) {
    errors.push({ field: 'feed', message: draft.feed ? `${draft.feed} is not a feed of this channel's oracle` : 'choose a price feed' })
  }
  let expiry: number | null = null
  try {
    expiry = expiryOn(draft.expiryDate)
    if (expiry <= now) {
      errors.push({ field: 'expiryDate', message: `expiry ${draft.expiryDate} 08:00 UTC is in the past` })
      expiry = null
    }
  } catch {
    errors.push({ field: 'expiryDate', message: draft.expiryDate ? `"${draft.expiryDate}" is not a calendar date (YYYY-MM-DD)` : 'choose an expiry date' })
  }
  if (draft.side !== 'buy' && draft.side !== 'sell') errors.push({ field: 'side', message: 'choose buy or sell' })
  if (draft.legs.length === 0) errors.push({ field: 'legs', message: 'add at least one leg' })
  if (draft.legs.length > MAX_LEGS) errors.push({ field: 'legs', message: `at most ${MAX_LEGS} legs` })
  const legs: OptionLeg[] = []
  if (feed !== undefined) {
    for (const l of draft.legs) {
      const r = draftLegToLeg(l, feed)
      if (r.ok) legs.push(r.leg)
      else errors.push(...r.errors)
    }
  }
  if (errors.length > 0 || feed === undefined || expiry === null) return { ok: false, errors }

  let pkg: OptionPackage
  try {
    pkg = parseOptionPackage(
      toWire<OptionPackage>({ ...packageHeader(spec, feed, expiry), legs }),
      { now },
    )
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, errors: [{ field: draftFieldOf(e.field, draft), message: e.message }] }
    throw e
  }
  try {
    return { ok: true, pkg, loss: maxLoss(pkg) }
  } catch (e) {
    if (isProtocolError(e) && e.code === 'UNBOUNDED_LOSS') {
      const index = typeof e.details.leg === 'number' ? e.details.leg : -1
      const leg = draft.legs[index]
      // core names the leg ("legs[1] (short call strike 120,000.00 ...)"); show it as the trader counts.
      return { ok: false, errors: [{ field: leg ? legField(leg.id) : 'legs', message: e.message.replace(/^legs\[(\d+)\]/, (_m, i: string) => `Leg ${Number(i) + 1}`) }] }
    }
    throw e
  }
}

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
