import { describe, expect, it, vi } from 'vitest'
import { chainDisplayName, gasCoinOf, parseChainConfig, type ChainConfig, type ChainConfigError } from '../channel-contract/chain/config.ts'
import { chainLabel, urlOverridesAllowed } from './config.ts'

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

describe('the chain\'s name and gas coin, as the trader reads them (chain config: chainName, nativeSymbol)', () => {
  const base = { rpcUrl: 'http://127.0.0.1:8545', chainId: 8453, adjudicator: `0x${'11'.repeat(20)}`, token: `0x${'22'.repeat(20)}`, verifier: `0x${'33'.repeat(20)}`, asset: 'USDC', assetDecimals: 6 }
  const fail = (fields: Record<string, unknown>) => {
    try {
      parseChainConfig({ ...base, ...fields }, 'VITE_')
    } catch (e) {
      return { field: (e as ChainConfigError).field, message: (e as Error).message }
    }
    throw new Error('accepted')
  }

  it('unset: the dev chain is "Anvil (local)", any other has no name; gas is paid in ETH', () => {
    expect(chainDisplayName(parseChainConfig({ ...base, chainId: 31337 }))).toBe('Anvil (local)')
    expect(chainDisplayName(parseChainConfig(base))).toBeNull()
    expect(gasCoinOf(parseChainConfig(base))).toBe('ETH')
  })

  it('set: taken as given, surrounding spaces dropped; 32 characters (not UTF-16 units) at most', () => {
    const c = parseChainConfig({ ...base, chainId: 137, chainName: ' Polygon PoS ', nativeSymbol: 'POL' })
    expect([chainDisplayName(c), gasCoinOf(c)]).toEqual(['Polygon PoS', 'POL'])
    expect(parseChainConfig({ ...base, chainName: 'é'.repeat(32) }).chainName).toBe('é'.repeat(32))
    expect(parseChainConfig({ ...base, chainName: '𝔸'.repeat(32) }).chainName, 'one character each, two UTF-16 units').toBe('𝔸'.repeat(32))
  })

  it('refuses an empty, long, unprintable or non-string value, naming the field and its variable', () => {
    expect(fail({ chainName: '  ' })).toEqual({ field: 'chainName', message: 'chain config: chainName (JSON "chainName" or VITE_CHAIN_NAME): empty: leave it out for the default' })
    expect(fail({ nativeSymbol: 'X'.repeat(33) })).toEqual({ field: 'nativeSymbol', message: 'chain config: nativeSymbol (JSON "nativeSymbol" or VITE_NATIVE_SYMBOL): at most 32 characters' })
    expect(fail({ chainName: 'Base\u0007' }).message).toBe('chain config: chainName (JSON "chainName" or VITE_CHAIN_NAME): printable characters only (no control or format characters)')
    // A format character could reorder what the trader reads ("Base" shown as another name).
    expect(fail({ chainName: '\u202EesaB' }).message).toContain('printable characters only')
    expect(fail({ nativeSymbol: 18 }).message).toBe('chain config: nativeSymbol (JSON "nativeSymbol" or VITE_NATIVE_SYMBOL): expected text such as "ETH"')
    expect(fail({ chainName: null }).message).toContain('expected text such as "Arbitrum One"')
  })

  it('names a chain "<name> · chain <id>" only where it is the configured chain', () => {
    const configured = { chain: { chainId: 42161 } as ChainConfig, chainName: 'Arbitrum One' }
    expect(chainLabel(42161, configured)).toBe('Arbitrum One · chain 42161')
    expect(chainLabel(8453, configured), 'another chain: its id alone').toBe('chain 8453')
    expect(chainLabel(42161, { ...configured, chainName: null })).toBe('chain 42161')
    expect(chainLabel(42161, { chain: null, chainName: null })).toBe('chain 42161')
  })
})

describe('the chain\'s name and gas coin, as the built page reads them', () => {
  const chainEnv = (chainId: string) => ({
    VITE_CHAIN_RPC_URL: 'http://127.0.0.1:8545', VITE_CHAIN_ID: chainId, VITE_ADJUDICATOR: `0x${'11'.repeat(20)}`, VITE_TOKEN: `0x${'22'.repeat(20)}`,
    VITE_VERIFIER: `0x${'33'.repeat(20)}`, VITE_ASSET: 'USDC', VITE_ASSET_DECIMALS: '6',
  })
  const load = async (env: Record<string, string>, search = '') => {
    vi.resetModules()
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v)
    vi.stubGlobal('location', { search })
    try {
      return await import('./config.ts')
    } finally {
      vi.unstubAllEnvs()
      vi.unstubAllGlobals()
    }
  }

  it('the dev chain by default: "Anvil (local) · chain 31337", gas in ETH', async () => {
    const { config, chainLabel } = await load(chainEnv('31337'))
    expect(config.chainError).toBeNull()
    expect(chainLabel(31337)).toBe('Anvil (local) · chain 31337')
    expect(config.gasCoin).toEqual({ symbol: 'ETH', decimals: 18 })
  })

  it('another chain by VITE_CHAIN_NAME and VITE_NATIVE_SYMBOL', async () => {
    const { config, chainLabel } = await load({ ...chainEnv('137'), VITE_CHAIN_NAME: 'Polygon PoS', VITE_NATIVE_SYMBOL: 'POL' })
    expect(config.chainError).toBeNull()
    expect(chainLabel(137)).toBe('Polygon PoS · chain 137')
    expect(config.gasCoin.symbol).toBe('POL')
  })

  it('a bad one is said on the page, as any bad chain field, and no chain is used', async () => {
    const { config } = await load({ ...chainEnv('137'), VITE_NATIVE_SYMBOL: 'P'.repeat(40) })
    expect(config.chain).toBeNull()
    expect(config.chainError).toBe('chain config: nativeSymbol (JSON "nativeSymbol" or VITE_NATIVE_SYMBOL): at most 32 characters')
  })

  it('a ?chain= link may name its chain; one to another chain id does not keep the build\'s name and gas coin', async () => {
    const json = (o: object) => `?chain=${encodeURIComponent(JSON.stringify(o))}`
    const named = await load({ ...chainEnv('31337'), VITE_CHAIN_NAME: 'Dev box' }, json({ chainName: 'Anvil (CI)', nativeSymbol: 'tETH' }))
    expect(named.chainLabel(31337)).toBe('Anvil (CI) · chain 31337')
    expect(named.config.gasCoin.symbol).toBe('tETH')
    const same = await load({ ...chainEnv('31337'), VITE_CHAIN_NAME: 'Dev box', VITE_NATIVE_SYMBOL: 'tETH' }, json({ rpcUrl: 'http://127.0.0.1:9545' }))
    expect(same.chainLabel(31337), 'the same chain keeps the build\'s name').toBe('Dev box · chain 31337')
    const other = await load({ ...chainEnv('31337'), VITE_CHAIN_NAME: 'Dev box', VITE_NATIVE_SYMBOL: 'tETH' }, json({ chainId: 8453 }))
    expect(other.chainLabel(8453)).toBe('chain 8453')
    expect(other.config.gasCoin.symbol).toBe('ETH')
  })
})
