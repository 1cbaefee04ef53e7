import { defineConfig } from '@playwright/test'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'

// Debian's Chromium where present (Playwright cannot download its own browser on our machines).
const systemChromium = '/usr/bin/chromium'
const appPort = Number(process.env.E2E_APP_PORT ?? 5183)
// Another checkout or a helper running e2e at the same time sets its own ports and results folder.
const results = process.env.E2E_RESULTS ?? 'test-results'
const e2eBuild = resolve(`node_modules/.e2e-app-${appPort}`)
// At most 4: the workers' stacks lie 1,000 ports apart (fixtures.ts workerPort), and a fifth's
// signaling port would be 8545, the chain port a developer's `npm start` uses.
const MAX_WORKERS = 4
const workersText = process.env.E2E_WORKERS
const workers = workersText === undefined ? Math.min(MAX_WORKERS, availableParallelism()) : /^[1-9][0-9]*$/.test(workersText) ? Number(workersText) : NaN
if (!(workers >= 1 && workers <= MAX_WORKERS)) throw new Error(`E2E_WORKERS must be a whole number of workers from 1 to ${MAX_WORKERS} (got ${JSON.stringify(workersText)})`)

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  // One worker per core, at most MAX_WORKERS: each has its own stack on its own ports (fixtures.ts
  // workerPort), and a spec's tests run in order in one worker. A test keeps about a core busy (two
  // browsers, the desk, the chain): on this 2-core machine two workers took the suite from 15.1 to
  // 12.5 minutes, every test about 1.8 times as long. E2E_WORKERS=1 runs one spec at a time.
  fullyParallel: false,
  workers,
  // One retry, in a fresh worker (and so a fresh chain stack): anvil 1.7.1 was seen to stop
  // answering for good under load (every thread waiting on a lock), failing whatever test ran on
  // it. A test that passes only on its retry is counted and named as flaky in the summary
  // (scripts/test-summary.mjs), so a flake in our own code stays visible.
  retries: 1,
  reporter: [['list'], ['json', { outputFile: `${results}/e2e.json` }]],
  outputDir: `${results}/e2e-artifacts`,
  use: {
    baseURL: `http://127.0.0.1:${appPort}`,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    // A trace of a test's retry, not of every attempt: recording one (screencast frames and a DOM
    // snapshot per action) cost about 30% of the e2e suite's time on this 2-core machine
    // (concurrency.spec: 99 s of tests without, 140 s with). A failure that repeats on its retry
    // comes with a trace; to trace a local run, pass `--trace on` (or `retain-on-failure`).
    trace: 'on-first-retry',
    launchOptions: {
      ...(existsSync(systemChromium) ? { executablePath: systemChromium } : {}),
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection',
        '--disable-features=WebRtcHideLocalIpsWithMdns',
      ],
    },
  },
  // The app the tests drive is the production build (what a deployment serves; one bundle instead of
  // Vite's hundreds of dev modules per page load: identity.spec and lifecycle.spec took 64 s against 83 s), built into a folder
  // of its own per port, then served by `vite preview`. E2E_APP=dev drives the dev server instead
  // (source maps, React's dev checks; for debugging a test). start.spec.ts runs `npm start` itself,
  // and so drives its dev server.
  webServer: process.env.E2E_APP === 'dev'
    ? {
        command: `npx vite --port ${appPort} --strictPort`,
        // Its own Vite dependency cache per port: parallel runs must not re-optimize each other's.
        // Frozen (no HMR, no file watching): others' edits during a run do not hot-swap the page's modules.
        env: { VITE_CACHE_DIR: `../node_modules/.vite-e2e-${appPort}`, VITE_FROZEN: '1' },
        url: `http://127.0.0.1:${appPort}`,
        reuseExistingServer: false,
        timeout: 60_000,
      }
    : {
        command: `npx vite build --logLevel warn --outDir ${e2eBuild} --emptyOutDir && npx vite preview --outDir ${e2eBuild} --port ${appPort} --strictPort`,
        url: `http://127.0.0.1:${appPort}`,
        reuseExistingServer: false,
        timeout: 180_000,
      },
})
