import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { fingerprint } from '../../core/index.ts'
import { testKey } from '../../core/testkit.ts'
import { Balances, ChannelHeader, channelIdLabel, noticeTime, restoredOn } from './ChannelScreen.tsx'
import type { HeaderPositions } from './headerPositions.ts'

describe('the channel screen\'s times', () => {
  it('dates a restore by the computer\'s clock, and says so: the rest of the screen shows the chain\'s', () => {
    // RestoreChannels stamps restoredAt with Date.now(); the chain's time then was not recorded.
    expect(restoredOn(Date.UTC(2026, 11, 7, 10, 0, 30))).toBe("Restored on 2026-12-07 10:00 UTC (this computer's clock)")
  })

  it('gives a notice the time of day on the screen clock\'s day, and the date too on any other day (UTC)', () => {
    const now = Date.UTC(2026, 11, 7, 9, 30)
    expect(noticeTime(Date.UTC(2026, 11, 7, 0, 0, 5), now)).toBe('00:00:05 UTC')
    expect(noticeTime(Date.UTC(2026, 11, 6, 23, 59, 58), now), 'a few minutes before midnight, seen the next morning').toBe('2026-12-06 23:59:58 UTC')
    expect(noticeTime(Date.UTC(2026, 10, 7, 9, 30), now), 'the same time of day a month earlier').toBe('2026-11-07 09:30:00 UTC')
    // The day is UTC's, not the computer's time zone: 23:00 UTC is the same UTC day as 00:30 UTC.
    expect(noticeTime(Date.UTC(2026, 11, 7, 23, 0), Date.UTC(2026, 11, 7, 0, 30))).toBe('23:00:00 UTC')
  })
})

describe("the channel screen's header", () => {
  const channelId = 'b0e80015e0b60571c3d2a1f09e8d7c6b5a4938271605f4e3d2c1b0a998877665'
  const header = () => {
    const peerKey = testKey('desk').publicKey
    const html = renderToStaticMarkup(createElement(ChannelHeader, { label: 'Demo Desk', peerKey, channelId, webrtcPeers: 1, signalingConnected: 1, state: null, chain: 'open' }))
    return { html, text: html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim(), peer: fingerprint(peerKey) }
  }

  it('names the channel by its first eight hex digits, the whole id in the tooltip, and never says which protocol party the trader is', () => {
    expect(channelIdLabel(channelId)).toEqual({ text: 'channel b0e80015…', title: `Channel id ${channelId}` })
    const { html, text, peer } = header()
    expect(text.startsWith(`Demo Desk ${peer} channel b0e80015… peer connected`), text).toBe(true)
    expect(text).not.toMatch(/party/)
    expect(html).toContain(`title="Channel id ${channelId}"`)
  })
})

const css = readFileSync(new URL('../styles.css', import.meta.url), 'utf8')

/** The body of the stylesheet's block that opens with `head` (an at-rule or a rule), braces matched. */
function cssBlock(head: string): string {
  const start = css.indexOf(`${head} {`)
  expect(start, `styles.css has no "${head} {" block`).toBeGreaterThanOrEqual(0)
  let depth = 0
  for (let i = css.indexOf('{', start); i < css.length; i++) {
    if (css[i] === '{') depth++
    else if (css[i] === '}' && --depth === 0) return css.slice(css.indexOf('{', start) + 1, i)
  }
  throw new Error(`unclosed "${head}" block in styles.css`)
}

describe("the channel screen's balances", () => {
  const usdc = (whole: number) => BigInt(whole) * 10n ** 6n
  // A channel the contract finalized after a dispute: free balances paid out, one position still locked on chain.
  const figures: HeaderPositions = {
    free: { mine: 0n, theirs: 0n },
    paidOut: { mine: usdc(45_678), theirs: usdc(1_000) },
    open: { count: 0, mine: 0n, theirs: 0n },
    signed: { count: 1, mine: 0n, theirs: usdc(3_300) },
    note: '1 position in the last signed state, none left: the contract paid it out and closed the channel.',
    superseded: null,
  }
  const html = renderToStaticMarkup(createElement(Balances, { decimals: 6, asset: 'USDC', figures }))
  const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').replace(/ ,/g, ',').trim()
  const span = (testId: string) => html.match(new RegExp(`<span class="([^"]*)" data-testid="${testId}">`))?.[1] ?? `no ${testId}`

  it('names the channel\'s free balance apart from the free balance in the settlement contract (Collateral), where the payout went', () => {
    expect(text).toContain('Your free balance in this channel 0.00 USDC')
    expect(text).toContain('Their free balance in this channel 0.00 USDC')
    expect(text).toContain('paid out by the contract: 45,678.00 USDC, now in your free balance in the settlement contract (Collateral)')
    expect(text, 'a bare "free balance" reads as the same pot as the contract\'s').not.toMatch(/free balance (there|[0-9])/)
  })

  it('says what they locked and what the last signed state locked as two statements, each on its own line', () => {
    expect(text).toContain('they locked 0.00 USDC In the last signed state: you locked 0.00 USDC, they 3,300.00 USDC')
    for (const id of ['their-locked', 'locked-signed', 'my-balance-paid', 'their-balance-paid', 'position-count-signed']) {
      expect(span(id).split(' '), `${id} is a note of its own line`).toContain('note')
    }
    expect(cssBlock('.balances .note'), 'an inline note runs into the one before it ("USDCin")').toMatch(/display: block;/)
  })
})

describe('the notices at phone width', () => {
  const phone = cssBlock('@media (max-width: 600px)')

  it('are a banner in the page under the service status, not a layer over the Trade tab and the tab bar', () => {
    expect(phone).toMatch(/\.shell > main:has\(> \.toasts\) \{[^}]*display: flex;[^}]*flex-direction: column;/)
    expect(phone).toMatch(/\.toasts \{[^}]*position: static;[^}]*order: -1;/)
    expect(phone, 'the service status stays first').toMatch(/\.shell > main > \.statusbar \{[^}]*order: -2;/)
  })

  it('float over the page at desktop width as before', () => {
    expect(cssBlock('.toasts')).toMatch(/position: fixed;[^}]*right: 12px;[^}]*bottom: 12px;/)
  })
})
