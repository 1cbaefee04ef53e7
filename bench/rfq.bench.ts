// Trade with the network (issue 16), in real Chromium over real WebRTC, served from the production
// build: one trader with a channel to each of three demo desks (three processes, three styles),
// RFQ_BENCH_REQUESTS network requests (default 50), each sent to all three at once.
//   rfq.first_quote_ms      click "Request quotes" -> the ladder shows the first quote (p50)
//   rfq.all_quotes_ms       ... -> all three quotes are in the ladder (p50)
//   rfq.accept_to_fill_ms   click Accept -> the request shows filled (the trade co-signed in its
//                           channel and the position in the trader's state) (p50, goal < 50),
//                           split in its note by the page's data channels (observed, not altered):
//                           the trader's side before the proposal leaves, the desk's answer, the
//                           trader's side after it.
// The desks quote after a ticket has been unchanged for their quiet period (700 ms for these
// styles: the trader may still be typing), so the quote times include it by design. Each request
// fills a different desk in turn (positions per channel are capped at 32).
import { chromium, type Page } from '@playwright/test'
import { existsSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { configToEnv, type ChainConfig } from '../channel-contract/chain/config.ts'
import { Service, appQuery, signalingService, startChainStack, tempDir, type ChainStack } from '../scripts/services.ts'
import { createIdentity, getTestFunds } from '../e2e/app.ts'
import { percentile, type BenchResult } from './result.ts'
import { deskCommand } from '../desk/runtime.ts'

const REQUESTS = Number(process.env.RFQ_BENCH_REQUESTS ?? 50)
// RFQ_PROFILE=<file>: a CPU profile of the page from request PROFILE_FROM's accept to the end.
const PROFILE_FROM = Number(process.env.RFQ_PROFILE_FROM ?? 10)
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
    cmd: deskCommand(['--signaling', `ws://127.0.0.1:${PORTS.signaling}`,
      '--port', String(d.port), '--data', tempDir('otc-bench-desk-'), '--style', d.style, ...('extra' in d ? d.extra : [])]),
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
    btn.addEventListener('click', () => { w.__rfq.click = now(); performance.mark('rfq-click') }, { capture: true, once: true })
    const seen = () => {
      const req = document.querySelector('[data-testid="network-request"]')
      if (!req) return
      const quoted = req.querySelectorAll('[data-testid="ladder-row"][data-status="quoted"]').length
      if (quoted >= 1 && w.__rfq.first === undefined) w.__rfq.first = now()
      if (quoted >= 3 && w.__rfq.all === undefined) w.__rfq.all = now()
      if (req.getAttribute('data-fill') === 'filled' && w.__rfq.filled === undefined) {
        w.__rfq.filled = now()
        performance.mark('rfq-filled')
      }
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

/**
 * The last accept -> fill split by the data channels (observation only): `trader` from the click to
 * the proposal's send plus from the desk's answer to the fill on screen, `desk` between (wire and
 * the desk's countersign). The proposal is the first send after the click; the answer, the first
 * other message back on that data channel.
 */
interface FillSplit { readonly toSend: number; readonly desk: number; readonly afterAnswer: number }
async function splitFill(page: Page): Promise<FillSplit | null> {
  return page.evaluate(() => {
    const w = window as unknown as { __rfq: Record<string, number>; __dc: [number, string, number, number][] }
    const { click, filled } = w.__rfq
    const log = w.__dc.filter(([t]) => t >= click! && t <= filled!)
    w.__dc = []
    const sent = log.find(([, d]) => d === 's')
    // The desk's room echoes each update back (y-webrtc relays): the answer is the first message of another size.
    const answer = sent && log.find(([t, d, c, n]) => d === 'r' && c === sent[2] && t >= sent[0] && n !== sent[3])
    if (!sent || !answer) return null
    return { toSend: sent[0] - click!, desk: answer[0] - sent[0], afterAnswer: filled! - answer[0] }
  })
}

export async function run(): Promise<BenchResult[]> {
  const outDir = tempDir('otc-bundle-')
  const { execFileSync } = await import('node:child_process')
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', ...(process.env.RFQ_TRACE ? ['--sourcemap'] : [])], { stdio: 'ignore' })
  if (process.env.RFQ_TRACE) process.stderr.write(`build with source maps in ${outDir}\n`)
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
  const sides: FillSplit[] = []
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
    // The page's data channels, timed (observation only): the accepted proposal's send and the
    // desk's answer on that channel split accept -> fill into the trader's side and the desk's.
    await ctx.addInitScript(() => {
      const w = globalThis as unknown as { __dc: [number, 's' | 'r', number, number][]; __trace?: boolean }
      w.__dc = []
      let next = 0
      const ids = new WeakMap<RTCDataChannel, number>()
      const idOf = (c: RTCDataChannel) => ids.get(c) ?? (ids.set(c, next++), next - 1)
      const size = (d: unknown) => (typeof d === 'string' ? d.length : (d as ArrayBuffer).byteLength ?? 0)
      const send = RTCDataChannel.prototype.send
      RTCDataChannel.prototype.send = function (this: RTCDataChannel, d: never) {
        w.__dc.push([performance.timeOrigin + performance.now(), 's', idOf(this), size(d)])
        if (w.__trace) performance.mark(`dc-s ${idOf(this)} ${size(d)}`)
        return send.call(this, d)
      }
      // simple-peer listens through `onmessage`.
      const desc = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'onmessage')!
      Object.defineProperty(RTCDataChannel.prototype, 'onmessage', {
        configurable: true,
        get() { return desc.get!.call(this) },
        set(this: RTCDataChannel, h: ((e: MessageEvent) => void) | null) {
          desc.set!.call(this, h && ((e: MessageEvent) => {
            w.__dc.push([performance.timeOrigin + performance.now(), 'r', idOf(this), size(e.data)])
            if (w.__trace) performance.mark(`dc-r ${idOf(this)} ${size(e.data)}`)
            h(e)
          }))
        },
      })
    })
    page = await ctx.newPage()
    // The chain as a page parameter, as the e2e fixtures pass it (appPath).
    const c = chain.config
    await page.goto(`${APP_ORIGIN}/${appQuery(c, `ws://127.0.0.1:${PORTS.signaling}`)}`)
    await createIdentity(page)
    await getTestFunds(page)
    for (const d of DESKS) await openChannelWith(page, d)
    await page.getByRole('button', { name: 'Network RFQ' }).click()
    const tracing = Boolean(process.env.RFQ_TRACE)
    const profiler = process.env.RFQ_PROFILE ? await ctx.newCDPSession(page) : null
    if (profiler) await profiler.send('Profiler.enable')
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
      if (profiler && i === PROFILE_FROM) await profiler.send('Profiler.start')
      if (tracing && i === PROFILE_FROM) {
        await page.evaluate(() => ((window as unknown as { __trace: boolean }).__trace = true))
        await browser.startTracing(page, { path: process.env.RFQ_TRACE, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8.execute', 'disabled-by-default-v8.cpu_profiler'] })
      }
      fill.push(await mark(page, 'filled'))
      const split = await splitFill(page)
      if (split) sides.push(split)
      if (process.env.BENCH_DEBUG) process.stderr.write(`  dc: ${JSON.stringify(split)}\n`)
      if (process.env.BENCH_DEBUG) process.stderr.write(`request ${i}: first ${first.at(-1)!.toFixed(0)} all ${all.at(-1)!.toFixed(0)} fill ${fill.at(-1)!.toFixed(1)} ms\n`)
    }
    if (tracing) await browser.stopTracing()
    if (profiler) {
      const { profile } = await profiler.send('Profiler.stop')
      writeFileSync(process.env.RFQ_PROFILE!, JSON.stringify(profile))
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
    { name: 'rfq.accept_to_fill_ms', value: p50(fill), unit: 'ms', higherIsBetter: false, note: `p50, click Accept -> the request shows filled, ${n} (goal < 50); split by the data channels (p50s, ${sides.length} fills): trader until the proposal is sent ${p50(sides.map((x) => x.toSend))} ms, the desk's answer (wire + countersign) ${p50(sides.map((x) => x.desk))} ms, trader from the answer to the fill on screen ${p50(sides.map((x) => x.afterAnswer))} ms; load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end` },
  ]
}
