// app.trade_confirm_p50_ms / _p95_ms: in real Chromium, two traders in two browser contexts over real
// WebRTC (the e2e setup, served from the production build): time from the click on Accept (captured
// in the taker's page) to the moment both pages render the new position (MutationObserver in each
// page), over 100 trades.
// app.bundle_gzip_kib: the production bundle's JavaScript, gzipped.
import { chromium, type Page } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { WebSocket } from 'ws'
import { existsSync } from 'node:fs'
import { SettlementClient } from '../channel-contract/index.ts'
import { Service, nodeService, signalingService, tempDir } from '../scripts/services.ts'
import { createIdentity, getTestFunds, openChannel, openOnContract } from '../e2e/app.ts'
import { percentile, type BenchResult } from './result.ts'

const TRADES = 100
const BATCH = 20 // open positions per channel are capped: settle each batch by moving past expiry

function bundleGzipKiB(outDir: string): number {
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir'], { stdio: 'ignore' })
  let total = 0
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f)
      if (statSync(p).isDirectory()) walk(p)
      else if (f.endsWith('.js')) total += gzipSync(readFileSync(p), { level: 9 }).length
    }
  }
  walk(outDir)
  return total / 1024
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

export async function run(): Promise<BenchResult[]> {
  // The production build is what is measured (what traders are served): React's development build
  // with StrictMode adds a stack capture per element and double effects, which no trader runs.
  const outDir = tempDir('otc-bundle-')
  const kib = bundleGzipKiB(outDir)
  const signaling: Service = signalingService(4747)
  const node: Service = nodeService({ port: 8747, dataDir: tempDir('otc-bench-node-'), allowOrigins: ['http://127.0.0.1:5747'] })
  const app = new Service({ name: 'app', cmd: ['npx', 'vite', 'preview', '--outDir', outDir, '--port', '5747', '--strictPort'], ready: /Local:/ })
  await Promise.all([signaling.start(), node.start(), app.start()])
  const client = new SettlementClient({ url: 'http://127.0.0.1:8747', WebSocket: WebSocket as never })
  const browser = await chromium.launch({
    ...(existsSync('/usr/bin/chromium') ? { executablePath: '/usr/bin/chromium' } : {}),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'],
  })
  const latencies: number[] = []
  const pages: Page[] = []
  try {
    for (let i = 0; i < 2; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      await ctx.addInitScript(() => {
        ;(globalThis as unknown as { __otcBeforeConnect?: Promise<void> }).__otcBeforeConnect = navigator.mediaDevices?.getUserMedia({ audio: true }).then((s) => s.getTracks().forEach((t) => t.stop())).catch(() => undefined)
      })
      const page = await ctx.newPage()
      await page.goto(`http://127.0.0.1:5747/?node=${encodeURIComponent('http://127.0.0.1:8747')}&signaling=${encodeURIComponent('ws://127.0.0.1:4747')}`)
      await createIdentity(page)
      await getTestFunds(page)
      pages.push(page)
    }
    const [a, b] = pages as [Page, Page]
    await openChannel(a, b, { deposit: '50000' })
    await openOnContract(a, b)
    for (const p of [a, b]) await p.getByRole('tab', { name: 'Trade' }).click()
    await watchPositions(a)
    await watchPositions(b)
    let open = 0
    for (let i = 0; i < TRADES; i++) {
      if (open === BATCH) {
        await client.advanceClock(8 * 86_400_000) // past every open expiry: the apps settle in the channel
        for (const p of [a, b]) await changeTo(p, '0')
        // Each page re-reads the node's (dev, jumped) clock every 3 s: let both catch up first.
        await new Promise((r) => setTimeout(r, 3500))
        open = 0
      }
      // A filled ticket is closed as filled: each trade is asked on a ticket of its own (a private
      // draft until "Request quotes"; its expiry is the next weekly from the node's time).
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
  } catch (e) {
    const dir = tempDir('otc-bench-fail-', { keep: true })
    for (const [i, p] of pages.entries()) await p.screenshot({ path: join(dir, `page-${i}.png`), fullPage: true }).catch(() => undefined)
    throw new Error(`${(e as Error).message}\nscreenshots in ${dir}`)
  } finally {
    await browser.close()
    await Promise.all([signaling.stop(), node.stop(), app.stop()])
  }
  latencies.sort((x, y) => x - y)
  return [
    { name: 'app.trade_confirm_p50_ms', value: Number(percentile(latencies, 50).toFixed(1)), unit: 'ms', higherIsBetter: false, note: `click Accept -> both pages render the position, ${latencies.length} trades, real WebRTC, production build (goal < 50)` },
    { name: 'app.trade_confirm_p95_ms', value: Number(percentile(latencies, 95).toFixed(1)), unit: 'ms', higherIsBetter: false, note: `${latencies.length} trades` },
    { name: 'app.bundle_gzip_kib', value: Number(kib.toFixed(1)), unit: 'KiB', higherIsBetter: false, note: 'production JS, gzip -9 (goal < 350)' },
  ]
}
