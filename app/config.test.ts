import { describe, expect, it, vi } from 'vitest'
import { urlOverridesAllowed } from './config.ts'

describe('which builds let a link repoint their services', () => {
  it('a build for the dev chain, or for no chain (tests give every field by URL): yes', () => {
    expect(urlOverridesAllowed({})).toBe(true)
    expect(urlOverridesAllowed({ chainId: '31337', rpcUrl: 'http://127.0.0.1:8545' })).toBe(true)
  })
  it('a build for any other chain: no (a crafted link could aim deposits at another contract)', () => {
    expect(urlOverridesAllowed({ chainId: '8453', rpcUrl: 'https://mainnet.base.org', adjudicator: 'ab'.repeat(20) })).toBe(false)
    expect(urlOverridesAllowed({ rpcUrl: 'https://rpc.example' })).toBe(false)
  })
})

describe('the page\'s service parameters, as the built config reads them', () => {
  const load = async (env: Record<string, string>, search: string) => {
    vi.resetModules()
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v)
    vi.stubGlobal('location', { search })
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      return (await import('./config.ts')).config
    } finally {
      vi.unstubAllEnvs()
      vi.unstubAllGlobals()
      vi.restoreAllMocks()
    }
  }
  const link = '?demos=http://127.0.0.1:9999&demo=http://127.0.0.1:9998&signaling=ws://127.0.0.1:9997&loopback=1'

  it('a build for another chain ignores ?demos=, ?demo=, ?signaling= and ?loopback= (a crafted link cannot add a desk, or make the page ask for the camera)', async () => {
    const c = await load({ VITE_CHAIN_ID: '8453', VITE_CHAIN_RPC_URL: 'https://mainnet.base.org', VITE_DEMO_URLS: 'https://desk.example' }, link)
    expect(c.demoUrlsParam).toBe('https://desk.example')
    expect(c.demoUrl).not.toBe('http://127.0.0.1:9998')
    expect(c.signalingUrls).not.toContain('ws://127.0.0.1:9997')
    expect(c.loopbackMedia).toBe(false)
  })

  it('a build for the dev chain takes them', async () => {
    const c = await load({ VITE_CHAIN_ID: '31337', VITE_CHAIN_RPC_URL: 'http://127.0.0.1:8545' }, link)
    expect(c.demoUrlsParam).toBe('http://127.0.0.1:9999')
    expect(c.demoUrl).toBe('http://127.0.0.1:9998')
    expect(c.signalingUrls).toEqual(['ws://127.0.0.1:9997'])
    expect(c.loopbackMedia).toBe(true)
  })
})
