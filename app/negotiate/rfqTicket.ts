// The bridge between an RFQ ticket in the shared document (core/sync, edited by both traders) and
// the builder's draft. Edits become field-level ticket edits, so two traders typing at once merge.
import type { RfqEdit, RfqInput } from '../../core/sync/index.ts'
import { expiryOn, legField, legTextProblem, ParseError, ticketToDraft } from '../../core/index.ts'
import type { DraftLeg, PackageDraft } from './draft.ts'

export { ticketToDraft }

function expiryOf(date: string): number | null {
  try {
    return expiryOn(date)
  } catch {
    return null
  }
}

const LEG_TEXTS = ['strike', 'cap', 'quantity'] as const

/**
 * Refuses (ParseError naming `legs.<id>.<field>`) a strike, cap or quantity too long for a shared
 * ticket: the reader would refuse the whole ticket, and it would vanish for both traders.
 */
function assertLegTexts(leg: DraftLeg): void {
  for (const k of LEG_TEXTS) {
    const problem = legTextProblem(k, leg[k])
    if (problem !== null) throw new ParseError(legField(leg.id, k), problem)
  }
}

/** The ticket to create from a draft; throws ParseError for a leg value too long for a ticket. */
export function draftToRfqInput(d: PackageDraft): RfqInput {
  d.legs.forEach(assertLegTexts)
  return {
    feed: d.feed,
    expiry: expiryOf(d.expiryDate) ?? 0,
    side: d.side,
    legs: d.legs.map((l) => ({ id: l.id, kind: l.kind, strike: l.strike, cap: l.cap === '' ? null : l.cap, quantity: l.quantity, direction: l.direction })),
    notes: d.note,
  }
}

/** The smallest text edit turning `a` into `b` (common prefix and suffix kept). */
function textEdit(a: string, b: string): { index: number; delete: number; insert: string } | null {
  if (a === b) return null
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  return { index: start, delete: endA - start, insert: b.slice(start, endB) }
}

const LEG_KEYS = ['kind', 'strike', 'cap', 'quantity', 'direction'] as const

/**
 * Field-level edits that turn ticket draft `prev` into `next`. Throws ParseError naming the field,
 * before any edit is made, if a new or changed leg's strike, cap or quantity is too long for a ticket.
 */
export function draftEdits(prev: PackageDraft, next: PackageDraft): RfqEdit[] {
  const edits: RfqEdit[] = []
  if (prev.feed !== next.feed) edits.push({ field: 'feed', value: next.feed })
  if (prev.side !== next.side) edits.push({ field: 'side', value: next.side })
  if (prev.expiryDate !== next.expiryDate) {
    const e = expiryOf(next.expiryDate)
    if (e !== null) edits.push({ field: 'expiry', value: e })
  }
  const before = new Map(prev.legs.map((l) => [l.id, l]))
  const after = new Set(next.legs.map((l) => l.id))
  for (const l of prev.legs) if (!after.has(l.id)) edits.push({ field: 'removeLeg', id: l.id })
  for (const l of next.legs) {
    const old: DraftLeg | undefined = before.get(l.id)
    if (!old || LEG_TEXTS.some((k) => old[k] !== l[k])) assertLegTexts(l)
    if (!old) {
      edits.push({ field: 'addLeg', leg: { id: l.id, kind: l.kind, strike: l.strike, cap: l.cap === '' ? null : l.cap, quantity: l.quantity, direction: l.direction } })
      continue
    }
    for (const k of LEG_KEYS) {
      if (old[k] !== l[k]) edits.push({ field: 'leg', id: l.id, key: k, value: k === 'cap' && l.cap === '' ? null : l[k] })
    }
  }
  const t = textEdit(prev.note, next.note)
  if (t) edits.push({ field: 'notes', index: t.index, ...(t.delete ? { delete: t.delete } : {}), ...(t.insert ? { insert: t.insert } : {}) })
  return edits
}
