// The dev chain across restarts: deploy once, reuse while the code matches, redeploy (saying why)
// when it does not; state (balances, blocks) survives a stop; dev-only actions refuse other chains.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { erc20Abi, type Hex as ViemHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { freePort } from './anvil.ts'
import { toChainAddress } from './adjudicator.ts'
import { DevOnlyError } from './config.ts'
import { devAdvance, devMint, devSetGas, startDevnet, type Devnet } from './devnet.ts'

const dir = mkdtempSync(join(tmpdir(), 'otc-devnet-'))
let running: Devnet | null = null
afterAll(async () => {
  await running?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const someone = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d').address
const stranger: ViemHex = '0x000000000000000000000000000000000000bEEF'

async function start(port: number): Promise<Devnet> {
  running = await startDevnet({ port, dataDir: dir, blockTime: 0 })
  return running
}
async function stop(): Promise<void> {
  await running?.stop()
  running = null
}
const tokenBalance = (d: Devnet, who: ViemHex) => d.anvil.publicClient.readContract({ address: toChainAddress(d.deployment.token), abi: erc20Abi, functionName: 'balanceOf', args: [who] })

describe('devnet', () => {
  it('deploys once, keeps balances across a restart, reuses the deployment, redeploys with a reason', async () => {
    const port = await freePort()
    const t0 = performance.now()
    const first = await start(port)
    const firstStartMs = performance.now() - t0
    expect(first.reused).toBe(false)
    expect(first.reason).toMatch(/no deployment recorded/)
    expect(first.anvil.chainId).toBe(31337)
    expect(existsSync(first.deploymentFile)).toBe(true)
    const rec = JSON.parse(readFileSync(first.deploymentFile, 'utf8'))
    expect(rec).toMatchObject({ chainId: 31337, address: first.deployment.address, token: first.deployment.token, verifier: first.deployment.verifier, asset: 'USDC', assetDecimals: 6 })
    expect(rec.codeHashes.adjudicator).toMatch(/^0x[0-9a-f]{64}$/)

    await devMint(first.config, first.anvil.account(0), someone, 1_234_567n)
    await devSetGas(first.config, stranger, 7n * 10n ** 18n)
    const movedTo = await devAdvance(first.config, 3600)
    const height = (await first.anvil.publicClient.getBlock()).number // getBlockNumber is cached by viem for 4 s
    await stop()
    expect(existsSync(first.stateFile)).toBe(true)

    const t1 = performance.now()
    const second = await start(port)
    const restartMs = performance.now() - t1
    expect(second.reused).toBe(true)
    expect(second.reason).toMatch(/reusing the deployment/)
    expect(second.deployment).toEqual(first.deployment)
    expect(await tokenBalance(second, someone)).toBe(1_234_567n)
    expect(await second.anvil.publicClient.getBalance({ address: stranger })).toBe(7n * 10n ** 18n)
    expect((await second.anvil.publicClient.getBlock()).number).toBe(height)
    expect((await second.anvil.publicClient.getBlock()).timestamp).toBe(movedTo)
    await stop()
    console.log(`devnet: first start + deploy ${firstStartMs.toFixed(0)} ms, restart + reuse ${restartMs.toFixed(0)} ms`)

    // A recorded code hash that does not match: redeploy, and say so.
    writeFileSync(first.deploymentFile, JSON.stringify({ ...rec, codeHashes: { ...rec.codeHashes, adjudicator: `0x${'11'.repeat(32)}` } }))
    const third = await start(port)
    expect(third.reused).toBe(false)
    expect(third.reason).toMatch(/code at the adjudicator's address .* is not the code recorded/)
    expect(third.deployment.address).not.toBe(first.deployment.address)
    expect(await tokenBalance(third, someone)).toBe(0n) // a new token: the old one's balances are not in it
    await stop()

    // State lost (the file removed): the recorded addresses hold no code.
    rmSync(third.stateFile)
    const fourth = await start(port)
    expect(fourth.reused).toBe(false)
    expect(fourth.reason).toMatch(/has no code on this chain/)
    await stop()

    // A malformed deployment file is reported, not trusted.
    writeFileSync(first.deploymentFile, '{"version":1,"chainId":"x"}')
    const fifth = await start(port)
    expect(fifth.reused).toBe(false)
    expect(fifth.reason).toMatch(/unreadable: .*chainId/)
    await stop()
  })

  it("another web origin cannot call the dev chain: preflights name only the app's origin, simple requests are refused", async () => {
    const d = await start(await freePort())
    try {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'evm_increaseTime', params: ['0x10'] })
      const pre = await fetch(d.rpcUrl, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
      expect(pre.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173') // not '*', not the caller: the browser stops there
      // The content types a page may send without a preflight are not executed.
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
        const r = (await (await fetch(d.rpcUrl, { method: 'POST', headers: { 'content-type': type, origin: 'http://evil.example' }, body })).json()) as { result?: unknown; error?: { message: string } }
        expect(r.result).toBeUndefined()
        expect(r.error?.message).toMatch(/Invalid request/)
      }
      await expect(startDevnet({ port: await freePort(), dataDir: join(dir, 'x'), allowOrigin: '*' })).rejects.toThrow(/one origin/)
    } finally {
      await stop()
    }
  })

  it('dev-only actions are refused unless the RPC is anvil now', async () => {
    // An RPC that claims chain id 31337 but is not anvil.
    const fake: Server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string }
        res.setHeader('content-type', 'application/json')
        // Chain id 31337, but another client: not the dev chain.
        const result = method === 'eth_chainId' ? '0x7a69' : method === 'web3_clientVersion' ? 'Geth/v1.14.0-stable' : undefined
        res.end(JSON.stringify(result !== undefined ? { jsonrpc: '2.0', id, result } : { jsonrpc: '2.0', id, error: { code: -32601, message: 'method not found' } }))
      })
    })
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()))
    const port = (fake.address() as { port: number }).port
    try {
      const fakeCfg = { rpcUrl: `http://127.0.0.1:${port}`, chainId: 31337 }
      await expect(devSetGas(fakeCfg, stranger, 1n)).rejects.toThrow(DevOnlyError)
      await expect(devSetGas(fakeCfg, stranger, 1n)).rejects.toThrow('is not anvil (web3_clientVersion: "Geth/v1.14.0-stable")')
      await expect(devAdvance(fakeCfg, 60)).rejects.toThrow(/moving the chain clock exists only on the dev chain/)
      // Another chain id is refused without asking the RPC.
      await expect(devAdvance({ rpcUrl: fakeCfg.rpcUrl, chainId: 1 }, 60)).rejects.toThrow(/configured chain id is 1, not 31337/)
      // Nothing listening: refused.
      const closed = await freePort()
      await expect(devSetGas({ rpcUrl: `http://127.0.0.1:${closed}`, chainId: 31337 }, stranger, 1n)).rejects.toThrow(/did not answer eth_chainId/)
      await expect(devAdvance(fakeCfg, -1)).rejects.toThrow(RangeError)
    } finally {
      await new Promise<void>((r) => fake.close(() => r()))
    }
  })
})
