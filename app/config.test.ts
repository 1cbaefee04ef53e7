import { describe, expect, it } from 'vitest'
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
