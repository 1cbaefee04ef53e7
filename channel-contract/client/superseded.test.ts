// The rule for "this co-signed version came after the state the contract paid out from", move by
// move: every view (header, Risk, Blotter, History, Book) marks and excludes by it.
import { describe, expect, it } from 'vitest'
import { paidOutVersion, supersededBy, type PaidOutVersionView } from './superseded.ts'

const chain = (status: PaidOutVersionView['status'], version: number): PaidOutVersionView => ({ status, version })

describe('paidOutVersion', () => {
  it.each([
    ['not read', null, null],
    ['never opened', chain('none', 0), null],
    ['open: the contract paid nothing out', chain('open', 0), null],
    ['disputed: a refute may still bring a newer state', chain('disputed', 5), null],
    ['finalized with v5', chain('finalized', 5), 5],
    ['closed (by the last payout after finalize, or cooperatively) with v5', chain('closed', 5), 5],
  ] as const)('%s: %s', (_what, view, version) => {
    expect(paidOutVersion(view)).toBe(version)
  })
})

describe('supersededBy', () => {
  const table: [string, number, PaidOutVersionView | null, number | null][] = [
    ['a version after the finalized one moved no money', 6, chain('finalized', 5), 5],
    ['so did every later one', 7, chain('finalized', 5), 5],
    ['the finalized version itself counts', 5, chain('finalized', 5), null],
    ['an earlier version counts (its effects are in the finalized state)', 3, chain('finalized', 5), null],
    ['after the last payout closed the channel: still superseded', 6, chain('closed', 5), 5],
    ['disputed with an older version: not yet (a refute may supersede the dispute)', 6, chain('disputed', 5), null],
    ['open on the contract: every version counts', 6, chain('open', 0), null],
    ['the contract not read: every version counts', 6, null, null],
  ]
  it.each(table)('%s (v%i)', (_what, version, view, by) => {
    expect(supersededBy(version, view)).toBe(by)
  })
})
