// The chain services as npm start runs them (child processes through scripts/services.ts): each CLI
// comes up with its ready line, and a restart of the dev chain (SIGTERM to devnet.ts, which stops
// anvil so it dumps its state) keeps the deployment and the balances while the oracle and the
// watchtower keep working against it.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { erc20Abi } from 'viem'
import { freePort } from '../channel-contract/chain/anvil.ts'
import { configToEnv, type ChainConfig } from '../channel-contract/chain/config.ts'
import { readDeploymentFile } from '../channel-contract/chain/deployment.ts'
import { devAdvance, devMint } from '../channel-contract/chain/devnet.ts'
import { createPublicClient, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { devnetService, oracleService, tempDir, watchtowerService, type Service } from './services.ts'

const running: Service[] = []
afterAll(async () => {
  for (const s of running.reverse()) await s.stop()
})

// anvil's first dev account (its well-known key): it has gas on the dev chain.
const deployer = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const holder = '0x00000000000000000000000000000000000c0ffe'

describe('chain services as child processes', () => {
  it('start, serve, and survive a restart of the dev chain', async () => {
    const dir = tempDir('otc-chain-services-')
    const ports = { chain: await freePort(), oracle: await freePort(), watchtower: await freePort() }
    const chainSvc = devnetService({ port: ports.chain, dataDir: join(dir, 'chain'), blockTime: 0 })
    running.push(chainSvc)
    await chainSvc.start()
    const d = readDeploymentFile(join(dir, 'chain', 'deployment.json'))!
    const cfg: ChainConfig = {
      rpcUrl: `http://127.0.0.1:${ports.chain}`, chainId: d.chainId, adjudicator: d.address, token: d.token, verifier: d.verifier,
      asset: d.asset, assetDecimals: d.assetDecimals, oracleUrl: null, watchtowerUrl: null, deploymentBlock: d.block,
    }
    const oracle = oracleService({ port: ports.oracle, rpcUrl: cfg.rpcUrl })
    const tower = watchtowerService({ port: ports.watchtower, dataDir: join(dir, 'watchtower'), chainEnv: configToEnv(cfg, 'OTC_') })
    running.push(oracle, tower)
    await Promise.all([oracle.start(), tower.start()])

    await devMint(cfg, deployer, holder, 42_000_000n)
    const movedTo = await devAdvance(cfg, 86_400)
    const client = createPublicClient({ transport: http(cfg.rpcUrl) })
    const balance = () => client.readContract({ address: `0x${cfg.token}`, abi: erc20Abi, functionName: 'balanceOf', args: [holder] })
    expect(await balance()).toBe(42_000_000n)
    const mark = async () => ((await (await fetch(`http://127.0.0.1:${ports.oracle}/oracle/mark?feed=BTC-USD`)).json()) as { attestation: { instant: number } }).attestation.instant
    expect(await mark()).toBe(Number(movedTo) * 1000)

    // The chain restarts from its state file: same contracts, same balances, the clock where it was.
    await chainSvc.restart()
    expect(chainSvc.tail(5)).toMatch(/reusing the deployment/)
    expect(readDeploymentFile(join(dir, 'chain', 'deployment.json'))).toEqual(d)
    expect(await balance()).toBe(42_000_000n)
    expect(await mark()).toBeGreaterThanOrEqual(Number(movedTo) * 1000)
    const wt = (await (await fetch(`http://127.0.0.1:${ports.watchtower}/watchtower`)).json()) as { chainId: number; adjudicator: string }
    expect(wt).toMatchObject({ chainId: 31337, adjudicator: `0x${cfg.adjudicator}` })
  })
})
