import { describe, expect, it } from 'vitest'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { fingerprint } from '../../core/index.ts'
import { testKey } from '../../core/testkit.ts'
import { ChannelHeader, channelIdLabel, noticeTime, restoredOn } from './ChannelScreen.tsx'

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
