// The README's first command, as a newcomer runs it: `npm start` (scripts/start.sh) brings up the dev
// chain with the contracts, the oracle, the watchtower, the signaling server, the demo desks and the
// app on the Vite dev server; the page it names trades with a demo desk; Ctrl-C (here SIGTERM,
// which scripts/netns.mjs passes on the same way) stops every service. The other specs start their
// services from the fixtures and drive the production build, so this is the one test of that path.
// Its own ports and data folder: a developer's own `npm start` and the other specs' stacks are left alone.
import { existsSync, statSync } from 'node:fs'
import { createConnection } from 'node:net'
import { join } from 'node:path'
import { test, expect } from '@playwright/test'
import { Service, tempDir } from '../scripts/services.ts'
import { createIdentity, getTestFunds, openDemoChannel, buyPut } from './app.ts'

const PORTS = { CHAIN_PORT: 8846, ORACLE_PORT: 8847, WATCHTOWER_PORT: 8848, SIGNALING_PORT: 4645, APP_PORT: 5283, DEMO_PORT: 8860 }
// The demo desks after the first take the next ports (scripts/start.ts).
const ALL_PORTS = [...Object.values(PORTS), PORTS.DEMO_PORT + 1, PORTS.DEMO_PORT + 2, PORTS.DEMO_PORT + 3]

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port })
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

test('npm start: every service comes up, the page it names trades with a demo desk, and a stop ends them all', async ({ browser }) => {
  test.setTimeout(240_000)
  const data = tempDir('otc-e2e-start-')
  const start = new Service({
    name: 'npm start',
    cmd: ['bash', 'scripts/start.sh'],
    env: {
      ...Object.fromEntries(Object.entries(PORTS).map(([k, v]) => [k, String(v)])),
      DATA_DIR: data,
      // Vite's dependency cache of its own, and no file watching (others may edit the tree meanwhile).
      VITE_CACHE_DIR: `../node_modules/.vite-start-${PORTS.APP_PORT}`,
      VITE_FROZEN: '1',
    },
    ready: /\[start\] ready: open http:\/\/127\.0\.0\.1:\d+\//,
    timeoutMs: 180_000,
    // The polite stop goes to the command only, as Ctrl-C does; it stops its services itself.
    signalGroup: false,
  })
  try {
    await start.start()
    const url = start.tail(500).match(/\[start\] ready: open (http:\/\/127\.0\.0\.1:\d+\/)/)![1]!
    expect(url).toBe(`http://127.0.0.1:${PORTS.APP_PORT}/`)
    for (const p of ALL_PORTS) expect(await listening(p), `port ${p}`).toBe(true)

    // The page as the printed instructions open it (?loopback=1: inside the namespace), with its
    // chain, signaling server and demo desks from npm start, not from the URL.
    const context = await browser.newContext()
    const page = await context.newPage()
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`))
    await page.goto(`${url}?loopback=1`)
    await createIdentity(page)
    await getTestFunds(page)
    await openDemoChannel(page)
    await buyPut(page, '0.1')
    await page.getByRole('tab', { name: 'History & audit' }).click()
    await expect(page.getByTestId('signed-states').locator('tbody tr').first()).toContainText('both signed · verified')
    await context.close()

    const stopping = Date.now()
    await start.stop('SIGTERM')
    // Stopped by itself (exit code 0), before the 10 s after which stop() kills the group.
    expect(start.tail(5)).toContain('[npm start ended: exit code 0]')
    expect(Date.now() - stopping).toBeLessThan(10_000)
    for (const p of ALL_PORTS) expect(await listening(p), `port ${p} after the stop`).toBe(false)
    // Each service was stopped, not killed: the dev chain wrote its state for the next npm start
    // (anvil dumps it only on a polite stop).
    const chainState = join(data, 'chain', 'state.json')
    expect(existsSync(chainState), chainState).toBe(true)
    expect(statSync(chainState).mtimeMs).toBeGreaterThanOrEqual(stopping)
  } catch (e) {
    console.log(`[npm start output]\n${start.tail(120)}`)
    throw e
  } finally {
    // After a failure: stopped as a person would (its services too), killed if it does not stop.
    await start.stop('SIGTERM')
  }
})
