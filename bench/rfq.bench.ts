// Trade with the network (issue 16), in real Chromium over real WebRTC, served from the production
// build: one trader with a channel to each of three demo desks (three processes, three styles),
// RFQ_BENCH_REQUESTS network requests (default 50), each sent to all three at once.
//   rfq.first_quote_ms      click "Request quotes" -> the ladder shows the first quote (p50)
//   rfq.all_quotes_ms       ... -> all three quotes are in the ladder (p50)
//   rfq.accept_to_fill_ms   click Accept -> the request shows filled (the trade co-signed in its
//                           channel and the position in the trader's state) (p50, goal < 50)
// The desks quote after a ticket has been unchanged for their quiet period (700 ms for these
// styles: the trader may still be typing), so the quote times include it by design. Each request
// fills a different desk in turn (positions per channel are capped at 32).
import { chromium, type Page } from '@playwright/test'
import { existsSync } from 'node:fs'
import { configToEnv, type ChainConfig } from '../channel-contract/chain/config.ts'
import { Service, appQuery, signalingService, startChainStack, tempDir, type ChainStack } from '../scripts/services.ts'
import { createIdentity, getTestFunds } from '../e2e/app.ts'
import { percentile, type BenchResult } from './result.ts'

const REQUESTS = Number(process.env.RFQ_BENCH_REQUESTS ?? 50)
// The chain takes three ports from `chain` (chain, oracle, watchtower).
const PORTS = { signaling: 4757, chain: 8757, app: 5757 }
const APP_ORIGIN = `http://127.0.0.1:${PORTS.app}`
const DESKS = [
  { style: 'tight', name: 'Tight Desk', port: 8781 },
  { style: 'steady', name: 'Demo Desk', port: 8782 },
  { style: 'picky', name: 'Picky Desk', port: 8783, extra: ['--decline-rate', '0'] },
] as const

function desk(d: (typeof DESKS)[number], chain: ChainConfig): Service {
  return new Service({
    name: `desk-${d.style}`,
    cmd: ['node', '--import', 'tsx', 'desk/main.ts', '--signaling', `ws://127.0.0.1:${PORTS.signaling}`,
      '--port', String(d.port), '--data', tempDir('otc-bench-desk-'), '--style', d.style, ...('extra' in d ? d.extra : [])],
    env: configToEnv(chain, 'OTC_'),
    ready: /demo counterparty ready/,
  })
}

/** The dev chain (automine) with its contracts, the oracle and watchtower services: the e2e stack. */
function chainStack(): Promise<ChainStack> {
  return startChainStack({ port: PORTS.chain, dataDir: tempDir('otc-bench-chain-'), allowOrigin: APP_ORIGIN })
}

/** The trader invites the desk (New channel form), hands the invite to its API, waits until it is open on the contract. */
async function openChannelWith(page: Page, d: (typeof DESKS)[number]): Promise<void> {
  const info = (await (await fetch(`http://127.0.0.1:${d.port}/info`)).json()) as { contact: string }
  await page.getByRole('button', { name: 'New channel' }).click()
  await page.getByLabel('Counterparty contact (public key@EVM address)').fill(info.contact)
  await page.getByLabel('Name for them').fill(d.name)
  await page.getByLabel('Your deposit (USDC)').fill('20000')
  await page.getByLabel('Their deposit (USDC)').fill('20000')
  await page.getByLabel('Challenge period (hours)').fill('24')
  await page.getByRole('button', { name: 'Create invite' }).click()
  const sealed = await page.getByTestId('invite-text').inputValue()
  const code = (await page.getByTestId('invite-code').textContent())!
  const res = await fetch(`http://127.0.0.1:${d.port}/invite`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sealed, code }) })
  if (!res.ok) throw new Error(`${d.name} refused the invite: ${await res.text()}`)
  await page.getByTestId('latest-version').filter({ hasText: 'state v0' }).waitFor({ timeout: 30_000 })
  await page.getByRole('tab', { name: 'Settlement' }).click()
  await page.getByTestId('onchain-status').filter({ hasText: /^open$/ }).waitFor({ timeout: 30_000 })
}

/** In the page: times (ms since epoch) of the click on `button` and of the first moments the newest request shows 1 and 3 quotes, and filled. */
async function arm(page: Page, button: string): Promise<void> {
  await page.evaluate((name) => {
    const w = window as unknown as { __rfq: Record<string, number>; __rfqObserver?: MutationObserver }
    w.__rfqObserver?.disconnect()
    w.__rfq = {}
    const now = () => performance.timeOrigin + performance.now()
    const btn = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === name || b.getAttribute('aria-label') === name)!
    btn.addEventListener('click', () => (w.__rfq.click = now()), { capture: true, once: true })
    const seen = () => {
      const req = document.querySelector('[data-testid="network-request"]')
      if (!req) return
      const quoted = req.querySelectorAll('[data-testid="ladder-row"][data-status="quoted"]').length
      if (quoted >= 1 && w.__rfq.first === undefined) w.__rfq.first = now()
      if (quoted >= 3 && w.__rfq.all === undefined) w.__rfq.all = now()
      if (req.getAttribute('data-fill') === 'filled' && w.__rfq.filled === undefined) w.__rfq.filled = now()
    }
    w.__rfqObserver = new MutationObserver(seen)
    w.__rfqObserver.observe(document.querySelector('.main')!, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'data-fill'] })
  }, button)
}

async function mark(page: Page, key: string): Promise<number> {
  await page.waitForFunction((k) => (window as unknown as { __rfq: Record<string, number> }).__rfq[k] !== undefined, key, { polling: 'raf', timeout: 30_000 })
  return page.evaluate(() => (window as unknown as { __rfq: Record<string, number> }).__rfq)
    .then((r) => r[key]! - r.click!)
}

export async function run(): Promise<BenchResult[]> {
  const outDir = tempDir('otc-bundle-')
  const { execFileSync } = await import('node:child_process')
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir'], { stdio: 'ignore' })
  const signaling = signalingService(PORTS.signaling)
  const app = new Service({ name: 'app', cmd: ['npx', 'vite', 'preview', '--outDir', outDir, '--port', String(PORTS.app), '--strictPort'], ready: /Local:/ })
  await Promise.all([signaling.start(), app.start()])
  const chain = await chainStack()
  const desks = DESKS.map((d) => desk(d, chain.config))
  await Promise.all(desks.map((d) => d.start()))
  const browser = await chromium.launch({
    ...(existsSync('/usr/bin/chromium') ? { executablePath: '/usr/bin/chromium' } : {}),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'],
  })
  const first: number[] = []
  const all: number[] = []
  const fill: number[] = []
  let page: Page | null = null
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    // tsx (esbuild keepNames) wraps named functions inside page.evaluate callbacks in __name().
    await ctx.addInitScript(() => {
      ;(globalThis as unknown as { __name: (f: unknown) => unknown }).__name = (f) => f
    })
    await ctx.addInitScript(() => {
      ;(globalThis as unknown as { __otcBeforeConnect?: Promise<void> }).__otcBeforeConnect = navigator.mediaDevices?.getUserMedia({ audio: true }).then((s) => s.getTracks().forEach((t) => t.stop())).catch(() => undefined)
    })
    page = await ctx.newPage()
    // The chain as a page parameter, as the e2e fixtures pass it (appPath).
    const c = chain.config
    await page.goto(`${APP_ORIGIN}/${appQuery(c, `ws://127.0.0.1:${PORTS.signaling}`)}`)
    await createIdentity(page)
    await getTestFunds(page)
    for (const d of DESKS) await openChannelWith(page, d)
    await page.getByRole('button', { name: 'Network RFQ' }).click()
    for (let i = 0; i < REQUESTS; i++) {
      await page.getByRole('button', { name: 'New network RFQ' }).click()
      await page.getByLabel('Leg 1 quantity').fill('0.001')
      await arm(page, 'Request quotes')
      await page.getByRole('button', { name: 'Request quotes' }).click()
      first.push(await mark(page, 'first'))
      all.push(await mark(page, 'all'))
      // Each desk in turn fills (the cap on open positions per channel).
      const target = DESKS[i % DESKS.length]!.name
      const accept = `Accept ${target}'s quote`
      await arm(page, accept)
      await page.getByRole('button', { name: accept }).first().click()
      fill.push(await mark(page, 'filled'))
      if (process.env.BENCH_DEBUG) process.stderr.write(`request ${i}: first ${first.at(-1)!.toFixed(0)} all ${all.at(-1)!.toFixed(0)} fill ${fill.at(-1)!.toFixed(1)} ms\n`)
    }
  } catch (e) {
    const dir = tempDir('otc-bench-fail-', { keep: true })
    await page?.screenshot({ path: `${dir}/rfq.png`, fullPage: true }).catch(() => undefined)
    throw new Error(`${(e as Error).message}\nscreenshot in ${dir}\n${desks.map((d) => d.tail(20)).join('\n')}`, { cause: e })
  } finally {
    await browser.close()
    await Promise.all([...desks.map((d) => d.stop()), signaling.stop(), app.stop()])
    for (const s of chain.services) await s.stop()
  }
  const p50 = (xs: number[]) => Number(percentile([...xs].sort((a, b) => a - b), 50).toFixed(1))
  const n = `${fill.length} requests to 3 desks (real WebRTC, production build)`
  return [
    { name: 'rfq.first_quote_ms', value: p50(first), unit: 'ms', higherIsBetter: false, note: `p50, click Request quotes -> first quote in the ladder, ${n}; includes the desks' 700 ms quiet period` },
    { name: 'rfq.all_quotes_ms', value: p50(all), unit: 'ms', higherIsBetter: false, note: `p50, -> all three quotes, ${n}` },
    { name: 'rfq.accept_to_fill_ms', value: p50(fill), unit: 'ms', higherIsBetter: false, note: `p50, click Accept -> the request shows filled, ${n} (goal < 50)` },
  ]
}
