// What the page's configuration (config.ts, in the browser) and its Content-Security-Policy
// (csp.ts, in vite.config.ts under Node) must agree on, in one module that reads no build-time
// variable itself: the services' defaults, and which builds let a link repoint them.
import { DEV_CHAIN_ID } from '../channel-contract/chain/config.ts'

/** The services the page falls back to when the build names none (npm start runs them there). */
export const DEFAULT_SIGNALING_URL = 'ws://127.0.0.1:4444'
export const DEFAULT_DEMO_URL = 'http://127.0.0.1:8600'

/**
 * Whether URL parameters may repoint this build's services (?chain=, ?signaling=, ?demo=, ?demos=,
 * and ?loopback=): only when it was built for the dev chain, or for no chain (tests and
 * development give every field by URL). `builtIn`: the build's chain fields (configFromEnv). A
 * build for any other chain ignores them: else a crafted link to the real app could aim the
 * trader's deposits at another contract (their own EVM key approving it on the real token), and
 * name another oracle and watchtower with it.
 */
export function urlOverridesAllowed(builtIn: Readonly<Record<string, unknown>>): boolean {
  return Object.keys(builtIn).length === 0 || Number(builtIn.chainId) === DEV_CHAIN_ID
}
