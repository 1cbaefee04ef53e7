// Playwright fixtures: a real stack on loopback, started fresh per worker with temp data dirs: the
// dev chain (anvil with the adjudicator and Test USDC deployed), the oracle and watchtower
// services, the signaling server; and traders, each in its own browser context so that peers talk
// over WebRTC, never over BroadcastChannel. Money is real token balances on that chain.
import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { configToEnv, type ChainConfig } from '../channel-contract/chain/config.ts'
import { Service, appQuery, signalingService, startChainStack, tempDir } from '../scripts/services.ts'
import { createIdentity, getTestFunds, openChannel, openOnContract } from './app.ts'
import { TestChain } from './chain.ts'
import { deskCommand } from '../desk/runtime.ts'

/** The demo counterparty as a service on this stack (started by the test that needs it), on `port` (a workerPort). */
export function demoService(stack: Stack, port: number, extra: readonly string[] = []): Service {
  return new Service({
    name: 'demo',
    cmd: deskCommand(['--signaling', stack.signalingUrl, '--port', String(port), '--data', tempDir('otc-e2e-demo-'), ...extra]),
    env: configToEnv(stack.chainConfig, 'OTC_'),
    ready: /demo counterparty ready/,
  })
}

export interface Stack {
  readonly signaling: Service
  readonly chainService: Service
  readonly oracle: Service
  readonly watchtower: Service
  readonly signalingUrl: string
  readonly chainConfig: ChainConfig
  /** The test's view of the chain (clock, balances, channels, calls as a party). */
  readonly chain: TestChain
}

export interface Trader {
  readonly name: string
  readonly context: BrowserContext
  readonly page: Page
  /** Opens (or reopens) the app pointed at this stack. */
  open(): Promise<void>
}

const SIGNALING_PORT = Number(process.env.E2E_SIGNALING_PORT ?? 4545)
// The chain and its services take three ports from here (chain, oracle, watchtower).
const CHAIN_PORT = Number(process.env.E2E_CHAIN_PORT ?? process.env.E2E_NODE_PORT ?? 8646)
/** How far apart the ports of two workers' stacks lie (playwright.config.ts runs workers side by side). */
const WORKER_PORT_STRIDE = 1000

/**
 * The port `base` stands for in the worker running this test: every worker has its own stack and
 * its own demo desks, so the ports a spec names are offset by the worker's index (0 keeps them).
 */
export function workerPort(base: number, parallelIndex = test.info().parallelIndex): number {
  return base + parallelIndex * WORKER_PORT_STRIDE
}
const APP_ORIGIN = `http://127.0.0.1:${Number(process.env.E2E_APP_PORT ?? 5183)}`

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

/** Every context newTrader made and no later test has closed yet. */
const traderContexts = new Set<BrowserContext>()

/**
 * What the traders' pages said about the Content-Security-Policy or Trusted Types (app/csp.ts):
 * every flow runs under the policy, so a refusal there is a broken feature, and the test that saw
 * it fails at its end (the `stack` fixture). A context where a test provokes refusals on purpose is
 * left out (`provokesPolicyRefusals`).
 */
const policyMessages: string[] = []
const provoking = new WeakSet<BrowserContext>()
/** Chromium's words for a refusal: "Refused to …" (CSP), "… requires 'TrustedHTML' assignment" (Trusted Types sinks, logged and thrown). */
export const POLICY_MESSAGE = /content security policy|trusted ?types?\b|requires '?trusted(?:html|script|scripturl)|refused to (?:load|execute|connect|apply|run|evaluate|create)/i

/** The test provokes refusals of the policy in `context` (csp.spec.ts): they are not reported. */
export function provokesPolicyRefusals(context: BrowserContext): void {
  provoking.add(context)
}

export async function newTrader(browser: Browser, stack: Stack, name: string, extraQuery = ''): Promise<Trader> {
  const context = await browser.newContext()
  traderContexts.add(context)
  await grantMediaOnce(context)
  const page = await context.newPage()
  page.on('pageerror', (e) => console.log(`[${name} pageerror] ${e.message}`))
  context.on('console', (m) => {
    if (!provoking.has(context) && (m.type() === 'error' || m.type() === 'warning') && POLICY_MESSAGE.test(m.text())) policyMessages.push(`[${name}] ${m.text()}`)
  })
  context.on('weberror', (e) => {
    if (!provoking.has(context) && POLICY_MESSAGE.test(e.error().message)) policyMessages.push(`[${name} pageerror] ${e.error().message}`)
  })
  const url = `${appPath(stack)}${extraQuery}`
  return {
    name,
    context,
    page,
    open: async () => {
      await page.goto(url)
    },
  }
}

/** The app's URL on this stack: the chain config and the signaling server as page parameters. */
export function appPath(stack: Stack): string {
  return `/${appQuery(stack.chainConfig, stack.signalingUrl)}`
}

export const test = base.extend<{ stack: Stack }, { workerStack: Stack }>({
  workerStack: [
    async ({}, use, workerInfo) => {
      const signalingPort = workerPort(SIGNALING_PORT, workerInfo.parallelIndex)
      const signaling = signalingService(signalingPort)
      // Automine: every transaction is mined at once (the dev chain npm start runs also mines every 5 s).
      const [, chain] = await Promise.all([signaling.start(), startChainStack({ port: workerPort(CHAIN_PORT, workerInfo.parallelIndex), dataDir: tempDir('otc-e2e-chain-'), allowOrigin: APP_ORIGIN })])
      const { chain: chainService, oracle, watchtower, config: base } = chain
      await use({ signaling, chainService, oracle, watchtower, signalingUrl: `ws://127.0.0.1:${signalingPort}`, chainConfig: base, chain: new TestChain(base) })
      await Promise.all([signaling.stop(), oracle.stop(), watchtower.stop()])
      await chainService.stop()
    },
    { scope: 'worker', timeout: 240_000 },
  ],
  stack: async ({ workerStack }, use) => {
    // Traders an earlier test left open (not every spec closes its contexts) would keep their
    // channels running, with WebRTC and chain polls, beside this test: close them now, after that
    // test's failure screenshots and traces were taken.
    await Promise.all([...traderContexts].map((c) => c.close().catch(() => undefined)))
    traderContexts.clear()
    // A test may have killed a service; give every test a running stack.
    for (const s of [workerStack.signaling, workerStack.chainService, workerStack.oracle, workerStack.watchtower]) if (!s.running) await s.start()
    policyMessages.length = 0
    await use(workerStack)
    const refused = policyMessages.splice(0)
    if (refused.length > 0) throw new Error(`the app's pages reported ${refused.length} refusal(s) of the Content-Security-Policy or Trusted Types (app/csp.ts):\n${refused.slice(0, 10).join('\n')}`)
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
