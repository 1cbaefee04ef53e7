import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineConfig, type Connect, type Plugin } from 'vite'
import react from '@vitejs/plugin-react'
import { appCsp, cspHeader, cspOfPage, parseCsp, withCspMeta } from './app/csp.ts'

/**
 * The app's Content-Security-Policy (app/csp.ts says what it allows and why), from the VITE_*
 * variables this build or server sees:
 * - the dev server (npm start): as a header on every response. Its React refresh preamble (the one
 *   inline script) and the <style> tags Vite's client injects for CSS carry a nonce, fresh per server
 *   start (html.cspNonce); the policy allows that nonce, never 'unsafe-inline' or 'unsafe-eval'.
 * - vite build: a <meta> in index.html (for any static host: no frame-ancestors there), no nonce.
 * - vite preview: the built page's own policy as a header, with frame-ancestors 'none'.
 */
function contentSecurityPolicy(): Plugin {
  let env: Record<string, string | undefined> = {}
  let outDir = ''
  let nonce: string | undefined
  const setHeader = (policy: string): Connect.NextHandleFunction => (_req, res, next) => {
    res.setHeader('Content-Security-Policy', policy)
    next()
  }
  return {
    name: 'otc:content-security-policy',
    config(_, { command, isPreview }) {
      if (command !== 'serve' || isPreview) return
      nonce = randomBytes(18).toString('base64')
      return { html: { cspNonce: nonce } }
    },
    configResolved(c) {
      env = c.env
      outDir = c.build.outDir
    },
    configureServer(server) {
      server.middlewares.use(setHeader(cspHeader(appCsp({ env, ...(nonce ? { nonce } : {}) }))))
    },
    configurePreviewServer(server) {
      // What the build wrote, not this process's variables: a build previewed without them keeps its policy.
      const page = join(outDir, 'index.html')
      const built = existsSync(page) ? cspOfPage(readFileSync(page, 'utf8')) : null
      if (built === null) server.config.logger.warn(`[csp] ${page} has no Content-Security-Policy <meta> (built before it had one?): sending the policy for this environment's variables`)
      const policy = built === null ? appCsp({ env }) : { ...parseCsp(built), 'frame-ancestors': ["'none'"] }
      server.middlewares.use(setHeader(cspHeader(policy)))
    },
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        return ctx.server ? html : withCspMeta(html, appCsp({ env }))
      },
    },
  }
}

/**
 * lib0's logging (yjs and y-webrtc log through it) imports lib0/dom, whose module-level schema
 * constants (`$fragment = $.$custom(...)`) pull in all of lib0/schema although nothing here uses
 * either. Those constants are pure values: marked so, rollup drops what nothing reads (3.3 KiB of
 * gzipped JS; bench/bundle.bench.ts).
 */
function lib0PureConstants(): Plugin {
  const constant = /^(export const [$\w]+ = )(?=new |[$\w.]+\()/gm
  return {
    name: 'otc:lib0-pure-constants',
    apply: 'build',
    transform(code, id) {
      if (!/[\\/]lib0[\\/](dom|schema)\.js$/.test(id)) return null
      return { code: code.replace(constant, '$1/* @__PURE__ */ '), map: null }
    },
  }
}

/**
 * lib0/logging in the production bundle, for yjs and y-webrtc (build only; the dev server keeps
 * lib0's): y-webrtc's debug logger is silent (lib0's prints when `localStorage.log` names the
 * module), and yjs's warnings reach the console as plain text. lib0's own module, with its colour
 * styles for browsers and terminals, weighed about 2 KiB of gzipped JS. Yjs and y-webrtc use only
 * the names below (a name the stub lacks fails the build: rollup refuses a missing export).
 */
function quietLib0Logging(): Plugin {
  const id = '\0otc:lib0-logging'
  const colours = ['BOLD', 'UNBOLD', 'BLUE', 'GREY', 'GREEN', 'RED', 'PURPLE', 'ORANGE', 'UNCOLOR']
  return {
    name: 'otc:quiet-lib0-logging',
    apply: 'build',
    enforce: 'pre', // before Vite's own resolver takes the package's file
    resolveId: (source, importer) => (source === 'lib0/logging' && importer !== undefined && /[\\/](yjs|y-webrtc)[\\/]/.test(importer) ? id : null),
    load: (loaded) =>
      loaded === id
        ? `${colours.map((c) => `export const ${c} = Symbol('${c}')`).join('\n')}
const text = (args) => args.filter((a) => typeof a !== 'symbol').join('')
export const print = (...args) => console.log(text(args))
export const warn = (...args) => console.warn(text(args))
export const createModuleLogger = () => () => {}`
        : null,
  }
}

/**
 * tweetnacl's compact build (`nacl.js`) in the production bundle instead of `nacl-fast.js` (what its
 * package.json names): the same functions with the same output, without the fast one's unrolled
 * loops, 4.1 KiB less gzipped JS. The app uses secretbox only (the vault, an invite, a record sealed
 * at rest: a few hundred bytes, about a millisecond either way); X25519 is @noble/ed25519's
 * (core/sync/invite.ts). Node (the desk, the tests) keeps nacl-fast; app/naclBuild.test.ts checks
 * the two seal and open each other's boxes.
 */
function compactTweetnacl(): Plugin {
  return {
    name: 'otc:compact-tweetnacl',
    apply: 'build',
    enforce: 'pre',
    resolveId(source, importer, options) {
      return source === 'tweetnacl' ? this.resolve('tweetnacl/nacl.js', importer, { ...options, skipSelf: true }) : null
    },
  }
}

/**
 * Vite's dynamic-import preload helper in the production bundle, as the call it comes down to: the
 * app is one chunk, so its few dynamic imports (viem's of @noble/curves/secp256k1 and two it never
 * reaches) resolve to modules already loaded, with nothing to preload (Vite passes no dependencies)
 * and nothing that can fail to load. Vite's helper (link injection, CSS preloading,
 * `vite:preloadError`) weighed about 0.6 KiB of gzipped JS. Should the build ever split into chunks
 * that import one another dynamically, it fails here rather than ship a helper that skips preloads.
 */
function inlinePreloadHelper(): Plugin {
  const id = '\0vite/preload-helper.js'
  return {
    name: 'otc:inline-preload-helper',
    apply: 'build',
    enforce: 'pre', // before Vite's own build-import-analysis loads its helper
    resolveId: (source) => (source === id ? id : null),
    load: (loaded) => (loaded === id ? 'export const __vitePreload = (baseModule) => baseModule()' : null),
    generateBundle(_options, bundle) {
      const split = Object.values(bundle).filter((c) => c.type === 'chunk' && c.dynamicImports.length > 0)
      if (split.length > 0) this.error(`otc:inline-preload-helper: ${split.map((c) => c.fileName).join(', ')} import other chunks dynamically; Vite's preload helper is needed again (drop this plugin)`)
    },
  }
}

/**
 * y-webrtc's peer in the browser: simple-peer-light (simple-peer's code without Node's stream API,
 * no dependencies) instead of the simplepeer.min.js y-webrtc imports, a browserify build that carries
 * Buffer, readable-stream, debug and their Node shims into the page: 27.8 KiB of gzipped JS against
 * about 5. Both speak simple-peer's signals (the same offer, answer and candidate messages), so a
 * page connects to a desk, which keeps simple-peer in Node (with @roamhq/wrtc), as to another page.
 * The dev server (e2e) and the build both use it. Its emitter has no prependListener and logs a
 * listener's exception instead of throwing it: core/sync/room.ts's echo guard wraps `emit`, tested
 * with both (transport.test.ts).
 */
const lightPeer = { find: /^simple-peer\/simplepeer\.min\.js$/, replacement: 'simple-peer-light' }

// The app is served on loopback only; the chain, its services and the signaling server are separate processes.
export default defineConfig({
  root: 'app',
  publicDir: '../public',
  resolve: { alias: [lightPeer] },
  plugins: [react(), contentSecurityPolicy(), lib0PureConstants(), quietLib0Logging(), compactTweetnacl(), inlinePreloadHelper()],
  // Each dev server its own dependency cache when asked (e2e runs on several ports at once would
  // otherwise re-optimize one shared cache under each other's pages: "Failed to fetch dynamically
  // imported module" for viem's lazily loaded chunks).
  ...(process.env.VITE_CACHE_DIR ? { cacheDir: process.env.VITE_CACHE_DIR } : {}),
  // VITE_FROZEN=1 (the e2e dev servers): no file watching, no HMR. Several people edit this tree
  // while tests run; a hot update in the middle of a test swaps modules under the page (seen: a
  // channel that opened on the contract stayed "not opened" on the trader's page).
  server: { host: '127.0.0.1', port: Number(process.env.APP_PORT ?? 5173), strictPort: true, ...(process.env.VITE_FROZEN === '1' ? { hmr: false, watch: null } : {}) },
  preview: { host: '127.0.0.1', port: Number(process.env.APP_PORT ?? 5173), strictPort: true },
  // Terser (two compress passes) instead of esbuild's minifier: 14 KiB less gzipped JS (354.2 -> 339.9
  // KiB, app.bundle_gzip_kib's goal is < 350) for about 20 s more per build.
  // safari10: false: Vite asks terser for Safari 10 workarounds by default, which no es2022 browser
  // needs (0.9 KiB). modulePreload: false: no modulepreload polyfill; the built page has one chunk
  // and no <link rel="modulepreload"> for it to serve (0.2 KiB).
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', modulePreload: false, minify: 'terser', terserOptions: { safari10: false, compress: { passes: 2 } } },
})
