import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { outcomeFailure } from '../channel/auditText.ts'
import { stepFill, openFill } from './fillRule.ts'
import { FillFailed } from './NetworkRfq.tsx'

describe('a part of a network request that did not fill', () => {
  it('reads as a sentence for the trader, the refusal\'s code only in the tooltip and data-code', () => {
    // What the ladder steps when the channel refuses the accepted quote's trade (its outcome).
    const reason = outcomeFailure({ status: 'refused', code: 'QUOTE_EXPIRED', message: 'the quote expired before the trade was signed' })!
    const accepted = stepFill(openFill(1), { type: 'accept', channelId: 'ch', quoteHash: 'q', counterparty: 'Tight Desk' }).state
    const failed = stepFill(accepted, { type: 'failed', channelId: 'ch', quoteHash: 'q', reason }).state
    const html = renderToStaticMarkup(<FillFailed failure={failed.lastFailure!} />)
    const sentence = html.replace(/<[^>]+>/g, '')
    expect(sentence).toBe('The fill with Tight Desk did not happen: the quote expired before the trade was signed')
    expect(sentence, 'the code is not in the sentence').not.toContain('QUOTE_EXPIRED')
    expect(html).toContain('data-code="QUOTE_EXPIRED"')
    expect(html).toContain('title="Error code (for support): QUOTE_EXPIRED"')
  })

  it('without a code (an accept that threw a plain error) has no tooltip; an old stored failure without the dealer still reads', () => {
    const html = renderToStaticMarkup(<FillFailed failure={{ counterparty: '', text: 'the channel is not running', code: null }} />)
    expect(html.replace(/<[^>]+>/g, '')).toBe('The fill did not happen: the channel is not running')
    expect(html).not.toContain('data-code')
    expect(html).not.toContain('title=')
  })
})
