import { afterEach, describe, expect, it, vi } from 'vitest'
import { failureOf } from '../failure.ts'
import { DemoDeskRefusal, demoDeskCard, inviteDemoDesk, venueNotReady } from './demoDesk.ts'

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
})
