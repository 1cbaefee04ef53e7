import { afterEach, describe, expect, it } from 'vitest'
import type { Hex, OptionPackage } from '../../core/index.ts'
import { EXPIRY, T0, testKey } from '../../core/testkit.ts'
import type { Fill } from '../blotter/book.ts'
import { memoryStorage } from '../testkit.ts'
import { BROWSER_FILLS_KEPT, browserReplacements, fillTag, loadBrowserFills, saveBrowserFills } from './browserFills.ts'
import { supersededEvent } from './deskEvents.ts'

const { memory, install, remove } = memoryStorage()
const CH = `0x${'ab'.repeat(32)}` as Hex
const terms: OptionPackage = {
  feed: 'BTC-USD', oracle: testKey('oracle').publicKey, expiry: EXPIRY, priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6,
  legs: [{ kind: 'put', strike: 5_500_000n, cap: null, quantity: 5_000n, direction: 'long' }],
}
const fill = (version: number, supersededBy?: number): Fill => ({
  channelId: CH, counterparty: 'Bob', positionId: `0x${version}` as Hex, rfqId: 'r1', version, time: T0, feed: 'BTC-USD', expiry: EXPIRY,
  legs: ['long 0.5 put 55,000'], side: 'bought', size: 5_000n, premium: 700_000_000n, quotedBy: 'counterparty', terms, buyer: 'A',
  ...(supersededBy !== undefined ? { supersededBy } : {}),
})

describe('browserFills (the fills this browser announced as notifications, per channel)', () => {
  afterEach(remove)

  it('keeps the last fills announced per channel, oldest first; no record, or a damaged one, reads none and never throws', () => {
    install()
    expect(loadBrowserFills(CH)).toEqual([])
    saveBrowserFills(CH, ['0x1', '0x2'] as Hex[])
    expect(loadBrowserFills(CH)).toEqual(['0x1', '0x2'])
    expect(loadBrowserFills(`0x${'cd'.repeat(32)}` as Hex)).toEqual([])
    const many = Array.from({ length: BROWSER_FILLS_KEPT + 10 }, (_, i) => `0x${i.toString(16)}` as Hex)
    saveBrowserFills(CH, many)
    expect(loadBrowserFills(CH)).toEqual(many.slice(10))
    for (const bad of ['{nope', '"0x1"', '[1]', JSON.stringify(['not hex'])]) {
      for (const k of memory.keys()) memory.set(k, bad)
      expect(loadBrowserFills(CH), bad).toEqual([])
    }
  })

  it('without storage (a private window): nothing recorded, nothing thrown', () => {
    expect(() => saveBrowserFills(CH, ['0x1'] as Hex[])).not.toThrow()
    expect(loadBrowserFills(CH)).toEqual([])
  })

  it('replaces, under each fill\'s tag, only the announced fills a finalize superseded, with the words the page uses for that finalize; once', () => {
    // v1 and v2 announced; v3 not (the tab was shown). v2 and v3 superseded by a finalize of v1, v4 by another of v3.
    const fills = [fill(1), fill(2, 1), fill(3, 1), fill(4, 3)]
    const told = ['0x1', '0x2', '0x4'] as Hex[]
    const r = browserReplacements(fills, told)
    expect(r.replace).toEqual([
      { tag: fillTag('0x2' as Hex), text: supersededEvent([fills[1]!]).text },
      { tag: fillTag('0x4' as Hex), text: supersededEvent([fills[3]!]).text },
    ])
    expect(r.replace[0]!.text).toMatch(/^Superseded fill: you bought BTC-USD .*\(v2\)\. v2 was co-signed after the version the contract finalized \(v1\): it moved no money\.$/)
    expect(r.told).toEqual(['0x1'])
    // Replaced once: the next look replaces nothing.
    expect(browserReplacements(fills, r.told)).toEqual({ replace: [], told: ['0x1'] })
    // Nothing superseded: nothing replaced, the record as it was.
    expect(browserReplacements([fill(1), fill(2)], told)).toEqual({ replace: [], told })
  })

  it('two fills superseded by one finalize are replaced with one text that counts them', () => {
    const fills = [fill(2, 1), fill(3, 1)]
    const r = browserReplacements(fills, ['0x2', '0x3'] as Hex[])
    expect(r.replace.map((x) => x.tag)).toEqual([fillTag('0x2' as Hex), fillTag('0x3' as Hex)])
    expect(new Set(r.replace.map((x) => x.text))).toEqual(new Set([supersededEvent(fills).text]))
    expect(r.replace[0]!.text).toMatch(/^2 superseded fills: /)
    expect(r.told).toEqual([])
  })
})
