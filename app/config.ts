// Where the app finds its services. Vite env at build time, overridable per page by URL parameters
// (?chain=<JSON of chain config fields>&signaling=...) so tests and a second trader on another port
// can point elsewhere: on a build for the dev chain (or none) only (urlOverridesAllowed). The chain
// (RPC, contract, token, oracle and watchtower services) is parsed by the same rules as the desk's
// and the services' (channel-contract/chain/config.ts): a bad value is named on the page instead of
// failing later, the chain's name and gas coin included (chainName, nativeSymbol).
import { chainDisplayName, ChainConfigError, configFromEnv, gasCoinOf, parseChainConfig, type ChainConfig } from '../channel-contract/chain/config.ts'
import { DEFAULT_DEMO_URL, DEFAULT_SIGNALING_URL, urlOverridesAllowed } from './services.ts'

export { urlOverridesAllowed }

const builtIn = configFromEnv(import.meta.env as unknown as Record<string, string | undefined>, 'VITE_')
const overridable = urlOverridesAllowed(builtIn)
const params = new URLSearchParams(globalThis.location?.search ?? '')
/** A service URL parameter, or null where this build ignores such parameters (said once on the console). */
function serviceParam(name: 'chain' | 'signaling' | 'demo' | 'demos'): string | null {
  const v = params.get(name)
  if (v !== null && !overridable) {
    console.warn(`ignoring the URL parameter ${name}: this app was built for chain ${builtIn.chainId}, whose services a link may not change`)
    return null
  }
  return v
}

function chainConfig(): { chain: ChainConfig | null; chainError: string | null } {
  let fields: Record<string, unknown> = builtIn
  const override = serviceParam('chain')
  if (override) {
    try {
      const o: unknown = JSON.parse(override)
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('expected a JSON object')
      // The build's name and gas coin are its chain's: a link to another chain id names its own, or the defaults apply.
      const { chainName: _name, nativeSymbol: _symbol, ...rest } = fields
      const other = (o as Record<string, unknown>).chainId !== undefined && String((o as Record<string, unknown>).chainId) !== String(builtIn.chainId)
      fields = { ...(other ? rest : fields), ...(o as Record<string, unknown>) }
    } catch (e) {
      return { chain: null, chainError: `the chain URL parameter is not a JSON object of config fields: ${(e as Error).message}` }
    }
  }
  if (Object.keys(fields).length === 0) return { chain: null, chainError: 'no chain is configured: set VITE_CHAIN_RPC_URL, VITE_CHAIN_ID, VITE_ADJUDICATOR, VITE_TOKEN, VITE_VERIFIER, VITE_ASSET, VITE_ASSET_DECIMALS (npm start does)' }
  try {
    return { chain: parseChainConfig(fields, 'VITE_'), chainError: null }
  } catch (e) {
    return { chain: null, chainError: e instanceof ChainConfigError ? e.message : String(e) }
  }
}

const { chain, chainError } = chainConfig()

function loopbackUrl(value: string | null | undefined, fallback: string, field: string): string {
  if (!value) return fallback
  try {
    const u = new URL(value)
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) throw new Error('protocol')
    return u.toString().replace(/\/$/, '')
  } catch {
    console.warn(`ignoring ${field}=${value}: not a URL`)
    return fallback
  }
}

export const config = {
  /** The chain and deployment this page settles on, or null with `chainError` saying why. */
  chain,
  chainError,
  signalingUrls: [loopbackUrl(serviceParam('signaling'), import.meta.env.VITE_SIGNALING_URL ?? DEFAULT_SIGNALING_URL, 'signaling')],
  /** ICE servers: none by default (loopback and LAN). Users add STUN/TURN for real networks. */
  iceServers: [] as RTCIceServer[],
  /** The settlement asset of this deployment (the contract counts integer minor units of it). */
  asset: { symbol: chain?.asset ?? 'USDC', decimals: chain?.assetDecimals ?? 6 },
  /** The chain's name as the trader reads it (chainLabel), null where it is named by its id alone. */
  chainName: chain ? chainDisplayName(chain) : null,
  /** The chain's native coin, which pays gas, counted in wei (10^18 to the coin, as eth_getBalance reports it). */
  gasCoin: { symbol: chain ? gasCoinOf(chain) : 'ETH', decimals: 18 },
  demoUrl: loopbackUrl(serviceParam('demo'), import.meta.env.VITE_DEMO_URL ?? DEFAULT_DEMO_URL, 'demo'),
  /** The demo desks' URLs as given (rfq/demoDesks.ts parses them): ?demos= where this build allows it, else VITE_DEMO_URLS. */
  demoUrlsParam: serviceParam('demos') ?? (import.meta.env.VITE_DEMO_URLS as string | undefined),
  /**
   * Dev only: this browser runs inside npm start's loopback-only network namespace, where Chromium
   * gathers loopback ICE candidates only after a media grant (see ../shared NOTES, scripts/start.ts).
   * Only where links may repoint services (urlOverridesAllowed): elsewhere a link could make the
   * page ask for the camera.
   */
  loopbackMedia: overridable && params.get('loopback') === '1',
  /** Namespaces IndexedDB so two traders can share one browser profile in development. */
  profile: params.get('profile') ?? 'default',
}

/**
 * How the page names chain `chainId` to the trader: "Anvil (local) · chain 31337", or "chain 8453"
 * where the configured chain (`configured`, the page's config) is another or has no name.
 */
export function chainLabel(chainId: number, configured: Pick<typeof config, 'chain' | 'chainName'> = config): string {
  const name = configured.chain?.chainId === chainId ? configured.chainName : null
  return name === null ? `chain ${chainId}` : `${name} · chain ${chainId}`
}
