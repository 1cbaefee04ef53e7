import { describe, expect, it } from 'vitest'
import { rfqDecline } from '../../core/sync/index.ts'
import { declineEdit, MAX_DECLINE_REASON, PERSON_DECLINE_CODE } from './decline.ts'

describe('declineEdit', () => {
  it('sets the ticket\'s decline to my reason on one line, without a final full stop (the reader adds its own)', () => {
    expect(declineEdit('  no appetite for\nthis strike today. ')).toEqual({
      ok: true,
      edit: { field: 'decline', value: { code: PERSON_DECLINE_CODE, reason: 'no appetite for this strike today' } },
      reason: 'no appetite for this strike today',
    })
  })

  it('refuses an empty reason and a too long one, saying which', () => {
    expect(declineEdit('  .  ')).toEqual({ ok: false, error: expect.stringMatching(/^Write the reason the requester will read/) })
    expect(declineEdit('x'.repeat(MAX_DECLINE_REASON + 1))).toEqual({ ok: false, error: `The reason is ${MAX_DECLINE_REASON + 1} characters; at most ${MAX_DECLINE_REASON} are sent.` })
    expect(declineEdit('x'.repeat(MAX_DECLINE_REASON)).ok).toBe(true)
  })
})

describe('rfqDecline (core): what a desk and a person write', () => {
  it('keeps the code, puts the reason on one line and cuts it to the cap with an ellipsis', () => {
    expect(rfqDecline('SIZE_LIMIT', 'legs of\tup to  0.5 BTC.')).toEqual({ code: 'SIZE_LIMIT', reason: 'legs of up to 0.5 BTC' })
    const long = rfqDecline('NEGATIVE_VALUE', 'y'.repeat(MAX_DECLINE_REASON + 50))
    expect(long.reason).toHaveLength(MAX_DECLINE_REASON)
    expect(long.reason.endsWith('…')).toBe(true)
  })

  it('refuses a code that is not one and an empty reason, naming the field', () => {
    expect(() => rfqDecline('declined', 'x')).toThrow(/^decline\.code: "declined" is not a code/)
    expect(() => rfqDecline('', 'x')).toThrow(/^decline\.code: "" is not a code/)
    expect(() => rfqDecline('DECLINED', ' \n ')).toThrow('decline.reason: empty (say why the request is not quoted)')
  })
})
