// Playwright fixtures: a real stack on loopback (signaling server + dev settlement node, started
// fresh per worker with a temp data dir) and traders, each in its own browser context so that peers
// talk over WebRTC, never over BroadcastChannel.
import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { WebSocket } from 'ws'
import { SettlementClient } from '../channel-contract/index.ts'
import { Service, nodeService, signalingService, tempDir } from '../scripts/services.ts'
import { createIdentity, getTestFunds, openChannel, openOnContract } from './app.ts'

/** The demo counterparty as a service on this stack (started by the test that needs it). */
export function demoService(stack: Stack, port: number): Service {
  return new Service({
    name: 'demo',
    cmd: ['node', '--import', 'tsx', 'desk/main.ts', '--node', stack.nodeUrl, '--signaling', stack.signalingUrl, '--port', String(port), '--data', tempDir('otc-e2e-demo-')],
    ready: /demo counterparty ready/,
  })
}

export interface Stack {
  readonly signaling: Service
  readonly node: Service
  readonly nodeUrl: string
  readonly signalingUrl: string
  readonly client: SettlementClient
}

export interface Trader {
  readonly name: string
  readonly context: BrowserContext
  readonly page: Page
  /** Opens (or reopens) the app pointed at this stack. */
  open(): Promise<void>
}

const SIGNALING_PORT = Number(process.env.E2E_SIGNALING_PORT ?? 4545)
const NODE_PORT = Number(process.env.E2E_NODE_PORT ?? 8646)

/** Chromium inside the loopback-only namespace gathers ICE candidates only after a media grant. */
export async function grantMediaOnce(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const g = globalThis as unknown as { __otcBeforeConnect?: Promise<void> }
    g.__otcBeforeConnect = navigator.mediaDevices
      ?.getUserMedia({ audio: true })
      .then((s) => s.getTracks().forEach((t) => t.stop()))
      .catch(() => undefined)
  })
}

export async function newTrader(browser: Browser, stack: Stack, name: string, extraQuery = ''): Promise<Trader> {
  const context = await browser.newContext()
  await grantMediaOnce(context)
  const page = await context.newPage()
  page.on('pageerror', (e) => console.log(`[${name} pageerror] ${e.message}`))
  const url = `/?node=${encodeURIComponent(stack.nodeUrl)}&signaling=${encodeURIComponent(stack.signalingUrl)}${extraQuery}`
  return {
    name,
    context,
    page,
    open: async () => {
      await page.goto(url)
    },
  }
}

export const test = base.extend<{ stack: Stack }, { workerStack: Stack }>({
  workerStack: [
    async ({}, use) => {
      const signaling = signalingService(SIGNALING_PORT)
      const node = nodeService({ port: NODE_PORT, dataDir: tempDir('otc-e2e-node-') })
      await Promise.all([signaling.start(), node.start()])
      const nodeUrl = `http://127.0.0.1:${NODE_PORT}`
      const client = new SettlementClient({ url: nodeUrl, WebSocket: WebSocket as never })
      await use({ signaling, node, nodeUrl, signalingUrl: `ws://127.0.0.1:${SIGNALING_PORT}`, client })
      await Promise.all([signaling.stop(), node.stop()])
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  stack: async ({ workerStack }, use) => {
    // A test may have killed a service; give every test a running stack.
    if (!workerStack.signaling.running) await workerStack.signaling.start()
    if (!workerStack.node.running) await workerStack.node.start()
    await use(workerStack)
  },
})

export { expect }

/** Alice and Bob, each with an identity and test funds, in an open channel (Alice invited). */
export async function twoTradersInChannel(browser: Browser, stack: Stack): Promise<{ alice: Trader; bob: Trader; invite: { sealed: string; code: string } }> {
  const alice = await newTrader(browser, stack, 'alice')
  const bob = await newTrader(browser, stack, 'bob')
  for (const t of [alice, bob]) {
    await t.open()
    await createIdentity(t.page)
    await getTestFunds(t.page)
  }
  const invite = await openChannel(alice.page, bob.page)
  await openOnContract(alice.page, bob.page)
  return { alice, bob, invite }
}
