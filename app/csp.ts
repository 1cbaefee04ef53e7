// The app's Content-Security-Policy. The page holds the trader's signing keys in memory (the
// ed25519 channel key and the EVM key): a script injected into it could sign anything, so no
// script runs but the bundle's own files, and the page talks only to the services it is built for.
// vite.config.ts sends it as a header (dev server and `vite preview`, with frame-ancestors) and
// writes it into the built index.html as a <meta> for static hosting.
//
// - script-src 'self': no inline script, no eval (zod's compiled parsers need eval: jitless.ts
//   turns them off). The dev server alone adds a nonce (fresh per server start, Vite's
//   html.cspNonce): on the React refresh preamble, its one inline script, and on the <style> tags
//   its client injects for each imported CSS file. A build has neither: CSS is a file, no inline code.
// - style-src 'self': React and uPlot set styles through the DOM (element.style), which CSP allows;
//   only style="" in markup and <style> elements would need 'unsafe-inline', and the app has neither.
// - connect-src: the page's own origin, and the origins of the services the build names (chain
//   JSON-RPC, oracle, watchtower, signaling websocket, demo desks, with app/config.ts's defaults). A
//   build whose services a link may repoint (?chain=, ?signaling=, ?demo=, ?demos=: built for the dev chain
//   or for none, app/config.ts urlOverridesAllowed; tests and a second trader use them) also allows
//   any port on 127.0.0.1, where those services listen; never another host. A build for another
//   chain allows exactly its services (and ignores those parameters).
//   WebRTC between the peers is not governed by CSP.
// - default-src 'none': nothing else is loaded (no fonts, frames, workers, media); img-src 'self'
//   for the favicon (uPlot draws on a canvas; the CSV and backup downloads are blob: links, which
//   CSP does not govern). object-src, base-uri and form-action 'none' (every form is handled by script).
// - frame-ancestors 'none' (no page may frame the app: clickjacking of Approve / Accept): only a
//   header can carry it, a <meta> policy must leave it out (the browser ignores it there, with an error).
// - Trusted Types, in a build: require-trusted-types-for 'script' with trusted-types 'none'. No
//   string reaches a DOM sink that parses markup or code (innerHTML, a <script>'s text or src, an
//   on* attribute, DOMParser...): the browser throws instead, so a library bug or a value that
//   slipped past React's escaping cannot become markup, let alone script. The bundle uses none of
//   these sinks (React writes innerHTML only for dangerouslySetInnerHTML, which the app never uses),
//   so no policy is needed and none may be created. The dev server leaves them out: Vite's error
//   overlay writes its template with innerHTML.
import { configFromEnv } from '../channel-contract/chain/config.ts'
import { DEFAULT_DEMO_URL, DEFAULT_SIGNALING_URL, urlOverridesAllowed } from './services.ts'

/** Directive name → its sources, in the order written. */
export type CspDirectives = Readonly<Record<string, readonly string[]>>

/** Where URL overrides point: the loopback address every dev-chain service binds to, any port. */
export const LOOPBACK_SOURCES = ['http://127.0.0.1:*', 'ws://127.0.0.1:*'] as const

/** Directives a <meta> policy may not carry. */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox'])

/** urlOverridesAllowed (services.ts) over these build-time variables, as app/config.ts reads them. */
export function overridesAllowed(env: Readonly<Record<string, string | undefined>>): boolean {
  return urlOverridesAllowed(configFromEnv(env, 'VITE_'))
}

/**
 * The origin of a configured service URL as a CSP source, or null for a value that is not an
 * http(s) or ws(s) URL (nothing the page could connect to). Only the origin: a path would have to match
 * the request's exactly, and an RPC URL's path may carry an API key the policy need not repeat.
 * Serialized by URL, so a value cannot add a source or a directive (no spaces or semicolons).
 */
export function serviceSource(value: string | undefined): string | null {
  if (!value || !value.trim()) return null
  try {
    const u = new URL(value.trim())
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return null
    return `${u.protocol}//${u.host}`
  } catch {
    return null
  }
}

/** connect-src: 'self', every service the build names, and loopback where links may repoint them. */
export function connectSources(env: Readonly<Record<string, string | undefined>>): string[] {
  const urls = [
    env.VITE_CHAIN_RPC_URL,
    env.VITE_ORACLE_URL,
    env.VITE_WATCHTOWER_URL,
    env.VITE_SIGNALING_URL ?? DEFAULT_SIGNALING_URL,
    env.VITE_DEMO_URL ?? DEFAULT_DEMO_URL,
    ...(env.VITE_DEMO_URLS ?? '').split(','),
  ]
  const loopback = overridesAllowed(env)
  const out = ["'self'", ...(loopback ? LOOPBACK_SOURCES : [])]
  for (const src of urls.map(serviceSource)) {
    if (src === null || out.includes(src)) continue
    // Already allowed by LOOPBACK_SOURCES (http covers https, ws covers wss).
    if (loopback && new URL(src).hostname === '127.0.0.1') continue
    out.push(src)
  }
  return out
}

/**
 * The policy for a build made with these VITE_* variables (Vite's resolved env), or for the dev
 * server when `nonce` is given (its inline preamble and injected styles carry it).
 */
export function appCsp(opts: { env: Readonly<Record<string, string | undefined>>; nonce?: string }): CspDirectives {
  const nonce = opts.nonce === undefined ? [] : [`'nonce-${checkedNonce(opts.nonce)}'`]
  const trustedTypes: CspDirectives = opts.nonce === undefined ? { 'require-trusted-types-for': ["'script'"], 'trusted-types': ["'none'"] } : {}
  return {
    'default-src': ["'none'"],
    'script-src': ["'self'", ...nonce],
    'style-src': ["'self'", ...nonce],
    'img-src': ["'self'"],
    'connect-src': connectSources(opts.env),
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
    ...trustedTypes,
  }
}

function checkedNonce(nonce: string): string {
  if (!/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(nonce)) throw new Error('a CSP nonce is base64, at least 16 characters')
  return nonce
}

/** The policy as a header value. */
export function cspHeader(d: CspDirectives): string {
  return Object.entries(d).map(([name, sources]) => [name, ...sources].join(' ')).join('; ')
}

/** The policy as a <meta http-equiv> may carry it: without the header-only directives. */
export function cspMeta(d: CspDirectives): string {
  return cspHeader(Object.fromEntries(Object.entries(d).filter(([name]) => !HEADER_ONLY.has(name))))
}

/** A policy's text back as directives (lowercase names; the first of a repeated directive counts, as in browsers). */
export function parseCsp(text: string): CspDirectives {
  const out: Record<string, string[]> = {}
  for (const part of text.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (!name) continue
    const key = name.toLowerCase()
    if (!(key in out)) out[key] = sources
  }
  return out
}

/** The <meta http-equiv="Content-Security-Policy"> tag for a built page. */
export function cspMetaTag(d: CspDirectives): string {
  return `<meta http-equiv="Content-Security-Policy" content="${cspMeta(d).replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" />`
}

/**
 * The built page with its policy: the <meta> right after the charset declaration (it governs only
 * what follows it, and the charset must stay within the page's first 1024 bytes), else first in <head>.
 */
export function withCspMeta(html: string, d: CspDirectives): string {
  const tag = cspMetaTag(d)
  const charset = /<meta\s+charset=[^>]*>/i.exec(html)
  if (charset) return `${html.slice(0, charset.index + charset[0].length)}\n    ${tag}${html.slice(charset.index + charset[0].length)}`
  const head = /<head[^>]*>/i.exec(html)
  if (!head) throw new Error('the page has no <head> for its Content-Security-Policy')
  return `${html.slice(0, head.index + head[0].length)}\n    ${tag}${html.slice(head.index + head[0].length)}`
}

/** The policy a built page carries in its <meta>, or null (a build made before it had one). */
export function cspOfPage(html: string): string | null {
  const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)
  return m ? m[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&') : null
}
