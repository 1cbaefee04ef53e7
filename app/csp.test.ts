import { describe, expect, it } from 'vitest'
import { appCsp, connectSources, cspHeader, cspMeta, cspOfPage, overridesAllowed, parseCsp, serviceSource, withCspMeta } from './csp.ts'
import { config } from './config.ts'

/** A build for another chain than the dev chain, as an otc.config.json passes it through npm start. */
const BASE_ENV = {
  VITE_CHAIN_RPC_URL: 'https://base-mainnet.example/v2/SECRET-KEY',
  VITE_CHAIN_ID: '8453',
  VITE_ADJUDICATOR: `0x${'ab'.repeat(20)}`,
  VITE_ORACLE_URL: 'https://oracle.example:8443/otc',
  VITE_WATCHTOWER_URL: 'https://watchtower.example',
  VITE_SIGNALING_URL: 'wss://signal.example/ws',
  VITE_DEMO_URL: 'https://desk.example',
}

/** npm start on the dev chain (scripts/start.ts). */
const DEV_ENV = {
  VITE_CHAIN_RPC_URL: 'http://127.0.0.1:8545',
  VITE_CHAIN_ID: '31337',
  VITE_ORACLE_URL: 'http://127.0.0.1:8701',
  VITE_WATCHTOWER_URL: 'http://127.0.0.1:8702',
  VITE_SIGNALING_URL: 'ws://127.0.0.1:4444',
  VITE_DEMO_URL: 'http://127.0.0.1:8600',
  VITE_DEMO_URLS: 'http://127.0.0.1:8600,http://127.0.0.1:8601,http://127.0.0.1:8602,http://127.0.0.1:8603',
}

describe('the policy of a build', () => {
  it('runs no script but its own files, never inline or eval, loads nothing else, and is framed by nobody', () => {
    const d = appCsp({ env: BASE_ENV })
    expect(d['default-src']).toEqual(["'none'"])
    expect(d['script-src']).toEqual(["'self'"])
    expect(d['style-src']).toEqual(["'self'"])
    expect(d['img-src']).toEqual(["'self'"])
    expect(d['object-src']).toEqual(["'none'"])
    expect(d['base-uri']).toEqual(["'none'"])
    expect(d['form-action']).toEqual(["'none'"])
    expect(d['frame-ancestors']).toEqual(["'none'"])
    expect(cspHeader(d)).not.toMatch(/unsafe-|\*|nonce-|data:|blob:/)
  })

  it('requires Trusted Types for every script and markup sink, and allows no policy to make one', () => {
    const d = appCsp({ env: BASE_ENV })
    expect(d['require-trusted-types-for']).toEqual(["'script'"])
    expect(d['trusted-types']).toEqual(["'none'"])
  })

  it("for another chain: connects to its own origin and exactly the services the build names, never a link's", () => {
    expect(overridesAllowed(BASE_ENV)).toBe(false)
    expect(connectSources(BASE_ENV)).toEqual([
      "'self'",
      // The origin only: the RPC URL's path (here an API key) is not repeated in the policy.
      'https://base-mainnet.example',
      'https://oracle.example:8443',
      'https://watchtower.example',
      'wss://signal.example',
      'https://desk.example',
    ])
  })

  it('for the dev chain or for none: also any port on 127.0.0.1, where URL overrides point (http and ws)', () => {
    expect(connectSources(DEV_ENV)).toEqual(["'self'", 'http://127.0.0.1:*', 'ws://127.0.0.1:*'])
    expect(connectSources({})).toEqual(["'self'", 'http://127.0.0.1:*', 'ws://127.0.0.1:*'])
    // A dev-chain build's service on another host is still allowed, by its origin.
    expect(connectSources({ ...DEV_ENV, VITE_SIGNALING_URL: 'wss://signal.example' })).toEqual(["'self'", 'http://127.0.0.1:*', 'ws://127.0.0.1:*', 'wss://signal.example'])
  })

  it('lets links repoint services on a build for the dev chain (31337) or for no chain, never for another chain', () => {
    // Known answers on both sides of the rule: any chain field (even without a chain id) makes it a
    // build for a chain, allowed only with chain id 31337; signaling and desk URLs are not chain fields.
    const cases: [Record<string, string>, boolean][] = [
      [{}, true],
      [DEV_ENV, true],
      [{ VITE_CHAIN_ID: '31337' }, true],
      [{ VITE_CHAIN_ID: ' 31337 ' }, true],
      [{ ...DEV_ENV, VITE_ORACLE_URL: 'https://oracle.example' }, true],
      [{ VITE_CHAIN_ID: '' }, true],
      [{ VITE_SIGNALING_URL: 'wss://signal.example/ws', VITE_DEMO_URL: 'https://desk.example' }, true],
      [BASE_ENV, false],
      [{ VITE_CHAIN_ID: '8453' }, false],
      [{ VITE_CHAIN_ID: '31338' }, false],
      [{ ...DEV_ENV, VITE_CHAIN_ID: '1' }, false],
      [{ VITE_CHAIN_RPC_URL: 'https://rpc.example' }, false],
      [{ VITE_CHAIN_RPC_URL: 'http://127.0.0.1:8545' }, false],
      [{ VITE_ADJUDICATOR: `0x${'ab'.repeat(20)}` }, false],
      [{ VITE_CHAIN_ID: '1', VITE_SIGNALING_URL: 'ws://127.0.0.1:4444' }, false],
    ]
    for (const [env, allowed] of cases) expect(overridesAllowed(env), JSON.stringify(env)).toBe(allowed)
  })

  it("allows the services app/config.ts falls back to when the build names none (for another chain too)", () => {
    // This test's app/config.ts is built with no VITE_ variables: its defaults.
    const onlyChain = { VITE_CHAIN_RPC_URL: 'https://rpc.example', VITE_CHAIN_ID: '10' }
    const sources = connectSources(onlyChain)
    for (const url of [...config.signalingUrls, config.demoUrl]) expect(sources, url).toContain(serviceSource(url))
  })

  it('takes only URLs from the variables: no value adds a source or a directive', () => {
    expect(serviceSource("https://x.example 'unsafe-inline'; script-src *")).toBe(null)
    expect(serviceSource('javascript:alert(1)')).toBe(null)
    expect(serviceSource('not a url')).toBe(null)
    expect(serviceSource('')).toBe(null)
    expect(serviceSource(' https://rpc.example:8545/path?q=1 ')).toBe('https://rpc.example:8545')
    expect(serviceSource('https://user:pass@rpc.example/')).toBe('https://rpc.example')
    expect(connectSources({ ...BASE_ENV, VITE_DEMO_URLS: "https://a.example, ;script-src 'unsafe-eval',https://a.example" })).toEqual([
      "'self'", 'https://base-mainnet.example', 'https://oracle.example:8443', 'https://watchtower.example', 'wss://signal.example', 'https://desk.example', 'https://a.example',
    ])
  })
})

describe('the dev server', () => {
  it("allows its nonce beside 'self' for scripts and styles, nothing inline besides", () => {
    const d = appCsp({ env: DEV_ENV, nonce: 'c2VjcmV0LW5vbmNlLXZhbHVl' })
    expect(d['script-src']).toEqual(["'self'", "'nonce-c2VjcmV0LW5vbmNlLXZhbHVl'"])
    expect(d['style-src']).toEqual(["'self'", "'nonce-c2VjcmV0LW5vbmNlLXZhbHVl'"])
    expect(cspHeader(d)).not.toContain('unsafe-')
    // Vite's error overlay writes markup with innerHTML: no Trusted Types on the dev server.
    expect(d['require-trusted-types-for']).toBeUndefined()
    expect(d['trusted-types']).toBeUndefined()
  })
  it('refuses a nonce that is not base64 of some length (it would be guessable, or break the policy)', () => {
    expect(() => appCsp({ env: {}, nonce: 'abc' })).toThrow(/nonce/)
    expect(() => appCsp({ env: {}, nonce: "aaaaaaaaaaaaaaaaaaaa' 'unsafe-inline" })).toThrow(/nonce/)
  })
})

describe('delivery', () => {
  const d = appCsp({ env: BASE_ENV })
  it('the header carries every directive; the <meta> all but frame-ancestors (ignored there, with an error)', () => {
    expect(parseCsp(cspHeader(d))).toEqual(d)
    const { 'frame-ancestors': _, ...rest } = d
    expect(parseCsp(cspMeta(d))).toEqual(rest)
    expect(cspHeader(d)).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' https://base-mainnet.example https://oracle.example:8443 https://watchtower.example wss://signal.example https://desk.example; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'",
    )
  })

  it('the built page gets its <meta> right after the charset, before any script, and gives it back', () => {
    const page = '<!doctype html>\n<html>\n  <head>\n    <meta charset="UTF-8" />\n    <title>x</title>\n    <script type="module" src="/assets/index.js"></script>\n  </head>\n</html>'
    const built = withCspMeta(page, d)
    const meta = built.indexOf('http-equiv="Content-Security-Policy"')
    expect(meta).toBeGreaterThan(built.indexOf('charset'))
    expect(meta).toBeLessThan(built.indexOf('<script'))
    expect(cspOfPage(built)).toBe(cspMeta(d))
    expect(cspOfPage(page)).toBe(null)
    // No charset declaration: first in <head>.
    expect(withCspMeta('<html><head><title>x</title></head></html>', d)).toMatch(/^<html><head>\n {4}<meta http-equiv="Content-Security-Policy"/)
    expect(() => withCspMeta('<p>no head</p>', d)).toThrow(/head/)
  })

  it('parses a policy as browsers do: names in any case, the first of a repeated directive', () => {
    expect(parseCsp("Script-Src 'self'; ; script-src *; img-src 'self'  data:")).toEqual({ 'script-src': ["'self'"], 'img-src': ["'self'", 'data:'] })
  })
})
