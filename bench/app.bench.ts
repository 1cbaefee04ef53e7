// The app in real Chromium, served from the production build, on the dev chain stack the e2e tests
// run (e2e/fixtures.ts): anvil with the adjudicator and Test USDC (devnet.ts, automine), the oracle
// and watchtower services as child processes, the chain config as a page parameter (appPath).
//   app.trade_confirm_p50_ms / _p95_ms: two traders in two browser contexts over real WebRTC: time
//     from the click on Accept (captured in the taker's page) to the moment both pages render the
//     new position (MutationObserver in each page), over APP_BENCH_TRADES trades (default 60).
//     Trades are off chain: the chain must not slow them (goal < 50).
//   chain.open_ms: click "Open channel on the contract" (captured in the page) -> the channel is
//     open on chain (the adjudicator's channel(id).status read by this process every few ms).
//   chain.close_ms: click "Close on the contract" -> the funds are back in the free balance of the
//     clicking trader's EVM account in the contract (read on chain the same way).
//   chain.lifecycle_ms: chain.open_ms + chain.close_ms (one channel per run; the dev chain mines at once).
// The production bundle it serves is measured by bundle.bench.ts (app.bundle_gzip_kib).
import { chromium, type Page } from '@playwright/test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { channelIdOf } from '../core/index.ts'
import { Service, appQuery, signalingService, startChainStack, tempDir, type ChainStack } from '../scripts/services.ts'
import { createIdentity, evmAddressOf, getTestFunds, openChannel } from '../e2e/app.ts'
import { TestChain } from '../e2e/chain.ts'
import { buildBundle } from './bundle.ts'
import { percentile, type BenchResult } from './result.ts'

// 60 by default: the whole run stays near 2 min on the shared machine (100 took 1:45-3:00 at load 2-5).
const TRADES = Number(process.env.APP_BENCH_TRADES ?? 60)
const BATCH = 20 // open positions per channel are capped: settle each batch by moving past expiry
// The chain takes three ports from `chain` (chain, oracle, watchtower).
const PORTS = { signaling: 4747, chain: 8747, app: 5747 }
const APP_ORIGIN = `http://127.0.0.1:${PORTS.app}`
/** Poll interval (ms) of this process's chain reads for chain.open_ms / chain.close_ms. */
const CHAIN_POLL_MS = 5

/** The dev chain (automine) with its contracts, the oracle and watchtower services: the e2e stack. */
function chainStack(): Promise<ChainStack> {
  return startChainStack({ port: PORTS.chain, dataDir: tempDir('otc-bench-chain-'), allowOrigin: APP_ORIGIN })
}

/** Records, in the page, when the position count text changes (ms since epoch, sub-ms precision). */
async function watchPositions(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __changes: { at: number; text: string }[] }
    w.__changes = []
    const el = document.querySelector('[data-testid="position-count"]')!
    new MutationObserver(() => w.__changes.push({ at: performance.timeOrigin + performance.now(), text: el.textContent ?? '' })).observe(el, { characterData: true, childList: true, subtree: true })
  })
}

async function changeTo(page: Page, text: string): Promise<number> {
  await page.waitForFunction((t) => (window as unknown as { __changes: { text: string }[] }).__changes.some((c) => c.text === t), text, { polling: 'raf', timeout: 30_000 })
  return page.evaluate((t) => (window as unknown as { __changes: { at: number; text: string }[] }).__changes.find((c) => c.text === t)!.at, text)
}

/** Clicks the button named `name` with the click's time (ms since epoch) captured in the page; returns that time. */
async function timedClick(page: Page, name: string): Promise<number> {
  const button = page.getByRole('button', { name })
  await button.waitFor()
  await button.evaluate((el) => el.addEventListener('click', () => ((window as unknown as { __clickAt: number }).__clickAt = performance.timeOrigin + performance.now()), { capture: true, once: true }))
  await button.click()
  return page.evaluate(() => (window as unknown as { __clickAt: number }).__clickAt)
}

/** Reads `probe` every CHAIN_POLL_MS until it is true; returns when (ms since epoch, this process's clock). */
async function onChainWhen(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (await probe()) return performance.timeOrigin + performance.now()
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} on chain`)
    await new Promise((r) => setTimeout(r, CHAIN_POLL_MS))
  }
}

/** Moves the chain's clock past every open expiry; both apps settle their positions in the channel, then re-read the clock. */
async function settleAll(chain: TestChain, pages: readonly Page[]): Promise<void> {
  await chain.advanceClock(8 * 86_400_000)
  for (const p of pages) await changeTo(p, '0')
  // Each page reads the chain's time every 2 s and the oracle's marks every 5 s (app/settlement/
  // connection.ts, app/market/useMarkets.ts): a new ticket's expiry comes from them.
  await new Promise((r) => setTimeout(r, 5_500))
}

export async function run(): Promise<BenchResult[]> {
  // The production build is what is measured (what traders are served): React's development build
  // with StrictMode adds a stack capture per element and double effects, which no trader runs.
  const outDir = tempDir('otc-bundle-')
  await buildBundle(outDir)
  const signaling = signalingService(PORTS.signaling)
  const app = new Service({ name: 'app', cmd: ['npx', 'vite', 'preview', '--outDir', outDir, '--port', String(PORTS.app), '--strictPort'], ready: /Local:/ })
  await Promise.all([signaling.start(), app.start()])
  const stack = await chainStack()
  const chain = new TestChain(stack.config)
  const browser = await chromium.launch({
    ...(existsSync('/usr/bin/chromium') ? { executablePath: '/usr/bin/chromium' } : {}),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'],
  })
  const latencies: number[] = []
  const pages: Page[] = []
  // Filled in as the run gets there (a failed run throws before they are read).
  const t = { openMs: Number.NaN, closeMs: Number.NaN, openShownMs: Number.NaN, closeShownMs: Number.NaN }
  try {
    const c = stack.config
    for (let i = 0; i < 2; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      // tsx (esbuild keepNames) wraps named functions inside page.evaluate callbacks in __name().
      await ctx.addInitScript(() => {
        ;(globalThis as unknown as { __name: (f: unknown) => unknown }).__name = (f) => f
      })
      await ctx.addInitScript(() => {
        ;(globalThis as unknown as { __otcBeforeConnect?: Promise<void> }).__otcBeforeConnect = navigator.mediaDevices?.getUserMedia({ audio: true }).then((s) => s.getTracks().forEach((t) => t.stop())).catch(() => undefined)
      })
      const page = await ctx.newPage()
      await page.goto(`${APP_ORIGIN}/${appQuery(c, `ws://127.0.0.1:${PORTS.signaling}`)}`)
      await createIdentity(page)
      await getTestFunds(page)
      pages.push(page)
    }
    const [a, b] = pages as [Page, Page]
    await openChannel(a, b, { deposit: '50000' })
    const evmA = await evmAddressOf(a)

    // Open on the contract (as e2e/app.ts openOnContract), timed: click -> open on chain.
    await a.getByRole('tab', { name: 'Settlement' }).click()
    const openClick = await timedClick(a, 'Open channel on the contract')
    const openAt = await onChainWhen('the channel open', async () => {
      const mine = await chain.channelsOf(evmA)
      const params = mine.at(-1)
      return params !== undefined && (await chain.reader.chain.channel(channelIdOf(params))).status === 'open'
    })
    t.openMs = openAt - openClick
    await a.getByTestId('onchain-status').filter({ hasText: /^open$/ }).waitFor({ timeout: 30_000 })
    t.openShownMs = (performance.timeOrigin + performance.now()) - openClick
    await b.getByRole('tab', { name: 'Settlement' }).click()
    await b.getByTestId('onchain-status').filter({ hasText: /^open$/ }).waitFor({ timeout: 30_000 })

    for (const p of [a, b]) await p.getByRole('tab', { name: 'Trade' }).click()
    await watchPositions(a)
    await watchPositions(b)
    let open = 0
    for (let i = 0; i < TRADES; i++) {
      if (open === BATCH) {
        await settleAll(chain, pages)
        open = 0
      }
      // A filled ticket is closed as filled: each trade is asked on a ticket of its own (a private
      // draft until "Request quotes"; its expiry is the next weekly from the chain's time).
      await a.getByRole('button', { name: 'New RFQ' }).click()
      await a.getByLabel('Leg 1 quantity').fill('0.001')
      await a.getByRole('button', { name: 'Request quotes' }).click()
      const next = b.getByRole('button', { name: /^RFQ \d+ · .* · open$/ }).last()
      await next.waitFor()
      await next.click()
      if (process.env.BENCH_DEBUG) process.stderr.write(`trade ${i}\n`)
      const premium = 10 + (i % 7)
      await b.getByLabel('Premium (USDC)').fill(String(premium))
      await b.getByRole('button', { name: /Sign and send/ }).click()
      // This trade's quote (consecutive premiums differ): never the previous one, still shown as live
      // for the moment between the position count and the quote list catching up.
      const live = a.locator('[data-testid="quote"][data-status="live"]').filter({ has: a.locator('.premium', { hasText: new RegExp(`^${premium}\\.00 USDC$`) }) })
      await live.waitFor()
      await live.evaluate((el) => {
        const btn = [...el.querySelectorAll('button')].find((x) => x.textContent === 'Accept')!
        btn.addEventListener('click', () => ((window as unknown as { __clickAt: number }).__clickAt = performance.timeOrigin + performance.now()), { capture: true, once: true })
      })
      await live.getByRole('button', { name: 'Accept' }).click()
      open++
      const [ta, tb] = await Promise.all([changeTo(a, String(open)), changeTo(b, String(open))])
      const clickAt = await a.evaluate(() => (window as unknown as { __clickAt: number }).__clickAt)
      latencies.push(Math.max(ta, tb) - clickAt)
      await a.evaluate(() => ((window as unknown as { __changes: unknown[] }).__changes.length = 0))
      await b.evaluate(() => ((window as unknown as { __changes: unknown[] }).__changes.length = 0))
    }
    if (open > 0) await settleAll(chain, pages)

    // Cooperative close (as e2e/app.ts closeCooperatively), timed: click -> funds back in A's free balance.
    await a.getByRole('tab', { name: 'Settlement' }).click()
    await a.getByRole('button', { name: 'Propose final state (close)' }).click()
    await b.getByRole('tab', { name: 'Trade' }).click()
    await b.getByRole('button', { name: 'Approve' }).click()
    for (const p of [a, b]) await p.getByTestId('latest-version').filter({ hasText: /\(final\)/ }).waitFor({ timeout: 30_000 })
    const freeBefore = await chain.freeBalance(evmA)
    const closeClick = await timedClick(a, 'Close on the contract')
    const closeAt = await onChainWhen("A's funds back in its free balance", async () => (await chain.freeBalance(evmA)) > freeBefore)
    t.closeMs = closeAt - closeClick
    await a.getByTestId('onchain-status').filter({ hasText: /^closed$/ }).waitFor({ timeout: 30_000 })
    t.closeShownMs = (performance.timeOrigin + performance.now()) - closeClick
  } catch (e) {
    const dir = tempDir('otc-bench-fail-', { keep: true })
    for (const [i, p] of pages.entries()) await p.screenshot({ path: join(dir, `page-${i}.png`), fullPage: true }).catch(() => undefined)
    throw new Error(`${(e as Error).message}\nscreenshots in ${dir}`, { cause: e })
  } finally {
    await browser.close()
    await Promise.all([signaling.stop(), app.stop()])
    for (const s of stack.services) await s.stop()
  }
  latencies.sort((x, y) => x - y)
  const ms = (x: number) => Number(x.toFixed(1))
  return [
    { name: 'app.trade_confirm_p50_ms', value: ms(percentile(latencies, 50)), unit: 'ms', higherIsBetter: false, note: `click Accept -> both pages render the position, ${latencies.length} trades, real WebRTC, production build, channel open on the dev chain (anvil) (goal < 50)` },
    { name: 'app.trade_confirm_p95_ms', value: ms(percentile(latencies, 95)), unit: 'ms', higherIsBetter: false, note: `${latencies.length} trades` },
    { name: 'chain.open_ms', value: ms(t.openMs), unit: 'ms', higherIsBetter: false, note: `click "Open channel on the contract" -> channel(id).status open on the dev chain (anvil automine; read every ${CHAIN_POLL_MS} ms); the page showed "open" after ${t.openShownMs.toFixed(0)} ms; one channel` },
    { name: 'chain.close_ms', value: ms(t.closeMs), unit: 'ms', higherIsBetter: false, note: `click "Close on the contract" -> the clicker's free balance in the contract holds its payout (read every ${CHAIN_POLL_MS} ms); the page showed "closed" after ${t.closeShownMs.toFixed(0)} ms; one channel` },
    { name: 'chain.lifecycle_ms', value: ms(t.openMs + t.closeMs), unit: 'ms', higherIsBetter: false, note: `chain.open_ms + chain.close_ms on the dev chain (${t.openMs.toFixed(0)} + ${t.closeMs.toFixed(0)} ms; the dev chain mines at once, so this is the app's and the wallet's own time)` },
  ]
}
