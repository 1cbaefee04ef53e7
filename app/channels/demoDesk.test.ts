import { afterEach, describe, expect, it, vi } from 'vitest'
import { isValidRelease } from '../../core/index.ts'
import { T0, testChannel } from '../../core/testkit.ts'
import { failureOf } from '../failure.ts'
import type { ChannelRecord } from './channelRecords.ts'
import { DemoDeskRefusal, demoDeskCard, inviteDemoDesk, releaseAbandoned, venueNotReady, deskName } from './demoDesk.ts'

/** fetch answering `status` with `body` (text). */
const answer = (status: number, body: string) => vi.fn(async () => new Response(body, { status }))

describe("a demo desk's local API", () => {
  afterEach(() => vi.unstubAllGlobals())

  it("says a refused invite in the desk's words, its code apart (for the tooltip), not its raw JSON", async () => {
    vi.stubGlobal('fetch', answer(429, JSON.stringify({ error: { code: 'CLIENT_QUOTA', message: 'this key already has 3 channels with the desk' } })))
    const refused = await inviteDemoDesk('http://127.0.0.1:8600', 'Demo Desk', {}).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(DemoDeskRefusal)
    expect(failureOf(refused)).toEqual({ text: 'Demo Desk refused the invite: this key already has 3 channels with the desk', code: 'CLIENT_QUOTA' })
    vi.stubGlobal('fetch', answer(502, '<html>bad gateway</html>'))
    const bad = await inviteDemoDesk('http://127.0.0.1:8600', 'Demo Desk', {}).catch((e: unknown) => e)
    expect(failureOf(bad)).toEqual({ text: 'Demo Desk refused the invite: it answered 502', code: 'HTTP_502' })
    vi.stubGlobal('fetch', answer(200, '{"ok":true}'))
    await expect(inviteDemoDesk('http://127.0.0.1:8600', 'Demo Desk', {})).resolves.toBeUndefined()
  })

  it('reads its card, and says what is missing from one', async () => {
    vi.stubGlobal('fetch', answer(200, JSON.stringify({ name: 'Demo Desk', publicKey: 'ab'.repeat(32), contact: `${'ab'.repeat(32)}@0x${'11'.repeat(20)}` })))
    await expect(demoDeskCard('http://127.0.0.1:8600')).resolves.toEqual({ name: 'Demo Desk', publicKey: 'ab'.repeat(32), contact: `${'ab'.repeat(32)}@0x${'11'.repeat(20)}` })
    vi.stubGlobal('fetch', answer(200, JSON.stringify({ name: 'Demo Desk' })))
    await expect(demoDeskCard('http://127.0.0.1:8600')).rejects.toThrow('sent no key or contact')
    vi.stubGlobal('fetch', answer(503, ''))
    await expect(demoDeskCard('http://127.0.0.1:8600')).rejects.toThrow('answered 503')
  })

  it('says whether a channel can be proposed yet: still reading (not an error), the chain or the oracle not reachable, or ready', () => {
    const ready = { healthy: true, healthError: null, info: { oracle: { publicKey: 'ab' } }, wallet: { address: '11' } }
    expect(venueNotReady(ready, true)).toBeNull()
    expect(venueNotReady({ ...ready, healthy: null }, true)).toBe('reading the chain and the oracle service…')
    expect(venueNotReady({ ...ready, info: null }, true)).toBe('reading the chain and the oracle service…')
    expect(venueNotReady({ ...ready, wallet: null }, true)).toBe('reading the chain and the oracle service…')
    expect(venueNotReady({ ...ready, healthy: false, healthError: 'fetch failed' }, true)).toBe('the chain is not reachable (fetch failed)')
    expect(venueNotReady({ ...ready, info: { oracle: null } }, true)).toBe('the oracle service is not reachable')
    expect(venueNotReady({ ...ready, info: { oracle: null } }, false)).toBe('this deployment names no oracle service')
  })

  describe('the release of an abandoned channel', () => {
    // The trader is party A (alice) of a channel with the desk.
    const ch = testChannel()
    const record: ChannelRecord = { channelId: ch.channelId, params: ch.params, me: 'A', roomSecret: 'aa'.repeat(32), deposits: { A: 1n, B: 1n }, label: 'Demo Desk', createdAt: T0, inviteDelivered: true, deskUrl: 'http://127.0.0.1:8600' }

    it("posts a release signed by the trader's channel key to the desk the invite went to, and says the slot is free", async () => {
      const fetch = answer(200, JSON.stringify({ channelId: ch.channelId, released: true }))
      vi.stubGlobal('fetch', fetch)
      const notice = await releaseAbandoned(record, ch.a.secretKey, T0)
      expect(notice).toEqual({ channelId: ch.channelId, outcome: 'released', note: { text: 'Abandoned. Demo Desk freed its slot for the channel: you can open a new channel with it now.', code: null } })
      const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
      expect([url, init.method]).toEqual(['http://127.0.0.1:8600/release', 'POST'])
      const body = JSON.parse(init.body as string) as { channelId: string; at: number; signature: string }
      expect(Object.keys(body).sort()).toEqual(['at', 'channelId', 'signature'])
      expect([body.channelId, body.at]).toEqual([ch.channelId, T0])
      expect(isValidRelease(ch.params, { ...body, party: 'A' })).toBe(true)
    })

    it("says a refusal in the desk's words, and that the desk frees the slot on its own; never throws", async () => {
      vi.stubGlobal('fetch', answer(409, JSON.stringify({ error: { code: 'CHANNEL_ON_CHAIN', message: 'channel 1a2b3c4d… is open on the contract: a channel the contract opened is never released' } })))
      const refused = await releaseAbandoned(record, ch.a.secretKey, T0)
      expect(refused?.outcome).toBe('kept')
      expect(refused?.note).toEqual({
        text: 'Abandoned, but Demo Desk did not free its slot for the channel now: it answered: channel 1a2b3c4d… is open on the contract: a channel the contract opened is never released. It frees it on its own once its forget period for channels never opened has passed (30 minutes after the invite, unless it was started with another).',
        code: 'CHANNEL_ON_CHAIN',
      })
      vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch') }))
      const unreachable = await releaseAbandoned(record, ch.a.secretKey, T0)
      expect(unreachable?.outcome).toBe('kept')
      expect(unreachable?.note.text).toMatch(/^Abandoned, but Demo Desk did not free its slot for the channel now: it could not be reached at http:\/\/127\.0\.0\.1:8600 \(Failed to fetch\)\. It frees it on its own once its forget period/)
    })

    it('asks nothing of anybody for a channel whose invite did not go to a demo desk', async () => {
      const fetch = answer(200, '{}')
      vi.stubGlobal('fetch', fetch)
      const { deskUrl: _, ...human } = record
      expect(await releaseAbandoned(human, ch.a.secretKey, T0)).toBeNull()
      expect(fetch).not.toHaveBeenCalled()
    })
  })
})

describe("a desk's name as the trader's list shows it (deskName)", () => {
  it('is taken when it is a counterparty name, else "Demo desk" (the desk\'s own HTTP answer is untrusted)', () => {
    expect(deskName('  Tight Desk ')).toBe('Tight Desk')
    expect(deskName(undefined)).toBe('Demo desk')
    expect(deskName('x'.repeat(41))).toBe('Demo desk')
    expect(deskName('Desk\u202e kseD')).toBe('Demo desk')
  })
})
