// Which releases the desk takes: a channel it runs, signed within 5 minutes of its clock by the
// trader's channel key; every other body is refused with a code naming the field.
import { describe, expect, it } from 'vitest'
import { signRelease, type Hex } from '../core/index.ts'
import { T0, testChannel } from '../core/testkit.ts'
import type { ChannelEntry } from './channels.ts'
import { DemoError } from './errors.ts'
import { checkRelease, RELEASE_MAX_SKEW_MS } from './releaseCheck.ts'

// The desk is party B (bob), the trader party A (alice), as when the trader invites.
const ch = testChannel()
const other = testChannel({ label: 'other' })
const entryOf = (c: typeof ch): ChannelEntry => ({ channelId: c.channelId, params: c.params, me: 'B', roomSecret: 'aa'.repeat(32), deposits: { A: 1n, B: 1n }, acceptedAt: T0 })
const entries = new Map<Hex, ChannelEntry>([ch, other].map((c) => [c.channelId, entryOf(c)]))
const lookup = (id: Hex) => entries.get(id)

function refusal(body: unknown, now = T0): DemoError {
  try {
    checkRelease(body, lookup, now)
  } catch (e) {
    if (e instanceof DemoError) return e
    throw e
  }
  throw new Error('expected a refusal')
}

describe('a release of a channel never opened', () => {
  const signed = signRelease(ch.params, 'A', ch.a.secretKey, T0)
  const body = { channelId: signed.channelId, at: signed.at, signature: signed.signature }

  it("is taken for a channel the desk runs, signed by the trader's key within 5 minutes of the desk's clock", () => {
    const r = checkRelease(body, lookup, T0 + RELEASE_MAX_SKEW_MS)
    expect(r.entry.channelId).toBe(ch.channelId)
    expect(r.release).toEqual({ ...body, party: 'A' })
    expect(checkRelease(body, lookup, T0 - RELEASE_MAX_SKEW_MS).entry.channelId).toBe(ch.channelId) // the trader's clock a little ahead
  })

  it('is refused when signed by another key (the desk\'s own, or any other)', () => {
    for (const key of [ch.b.secretKey, other.oracle.secretKey]) {
      const forged = signRelease(ch.params, 'A', key, T0)
      const e = refusal({ ...body, signature: forged.signature })
      expect([e.code, e.status, e.field]).toEqual(['BAD_SIGNATURE', 403, 'signature'])
      expect(e.message).toBe(`the signature is not a release of channel ${ch.channelId.slice(0, 8)}… at ${T0} by the trader's channel key ${ch.a.publicKey.slice(0, 12)}… (party A)`)
    }
  })

  it('is refused when replayed against another channel of the same trader, or with its time changed', () => {
    expect(refusal({ ...body, channelId: other.channelId }).code).toBe('BAD_SIGNATURE')
    expect(refusal({ ...body, at: T0 + 1 }).code).toBe('BAD_SIGNATURE')
  })

  it('is refused when stale (or too far ahead), saying by how much and what to do', () => {
    const e = refusal(body, T0 + RELEASE_MAX_SKEW_MS + 1000)
    expect([e.code, e.status, e.field]).toEqual(['RELEASE_STALE', 422, 'at'])
    expect(e.message).toBe('the release was signed at 2026-01-05 12:00:00 UTC, 301 s ago; the desk takes a release signed within 5 min of its clock (2026-01-05 12:05:01 UTC): sign a new one')
    expect(refusal(body, T0 - RELEASE_MAX_SKEW_MS - 1000).message).toMatch(/301 s ahead of the desk's clock/)
    // The latest time a Date holds is taken by the schema and shown as a date.
    expect(refusal({ ...body, at: 253402300799999 }).message).toMatch(/^the release was signed at 9999-12-31 23:59:59 UTC, \d+ s ahead of the desk's clock/)
  })

  it('is refused for a channel the desk does not run', () => {
    const unknown = testChannel({ label: 'unknown' })
    const r = signRelease(unknown.params, 'A', unknown.a.secretKey, T0)
    const e = refusal({ channelId: r.channelId, at: r.at, signature: r.signature })
    expect([e.code, e.status, e.field]).toEqual(['UNKNOWN_CHANNEL', 404, 'channelId'])
    expect(e.message).toBe(`the desk runs no channel ${unknown.channelId.slice(0, 8)}… (never invited, or already forgotten or released)`)
  })

  it('is refused when malformed, naming the field', () => {
    const cases: [unknown, string | undefined][] = [
      [null, undefined],
      [[], undefined],
      [{ ...body, channelId: body.channelId.toUpperCase() }, 'channelId'],
      [{ ...body, channelId: `0x${body.channelId}` }, 'channelId'],
      [{ ...body, at: 'now' }, 'at'],
      [{ ...body, at: 1.5 }, 'at'],
      [{ ...body, at: -1 }, 'at'],
      // Before: past what a Date can hold, the stale refusal's message threw "Invalid time value" (a 500).
      [{ ...body, at: 253402300799999 + 1 }, 'at'],
      [{ ...body, at: 8_700_000_000_000_000 }, 'at'],
      [{ ...body, at: Number.MAX_SAFE_INTEGER }, 'at'],
      [{ ...body, signature: 'ab' }, 'signature'],
      [{ channelId: body.channelId, at: body.at }, 'signature'],
      [{ ...body, party: 'A' }, undefined],
    ]
    for (const [b, field] of cases) {
      const e = refusal(b)
      expect([e.code, e.status, e.field], JSON.stringify(b)).toEqual(['INVALID_FIELD', 400, field])
    }
  })
})
