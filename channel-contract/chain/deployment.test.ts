// Deploying to a chain that is not the dev chain (anvil started with another chain id) and writing
// its config: the token is required there, an existing config is kept, the CLI refuses a missing key.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BaseError, HttpRequestError, bytesToHex } from 'viem'
import { loadChainConfig } from '../services/config.ts'
import { freePort, startAnvil, type Anvil } from './anvil.ts'
import { fromChainAddress } from './adjudicator.ts'
import { checkDevChain } from './config.ts'
import { describeDeployError, deployToChain, readDeploymentFile } from './deployment.ts'
import { loadArtifacts } from './solc.ts'

let chain: Anvil
const dir = mkdtempSync(join(tmpdir(), 'otc-deploy-'))
const art = () => {
  const a = loadArtifacts({ quiet: true })
  return { Adjudicator: a.Adjudicator!, Ed25519Verifier: a.Ed25519Verifier!, TestUSDC: a.TestUSDC! }
}

beforeAll(async () => {
  chain = await startAnvil({ extraArgs: ['--chain-id', '84532'] })
})
afterAll(async () => {
  await chain?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('deployToChain', () => {
  it('deploys to another chain with its token and writes a config that loads', async () => {
    const key = bytesToHex(chain.account(0).getHdKey().privateKey!)
    const configFile = join(dir, 'otc.config.json')
    const recordFile = join(dir, 'deployment-84532.json')
    await expect(deployToChain({ rpcUrl: chain.rpcUrl, key, configFile, recordFile, artifacts: art() })).rejects.toThrow(/--token is required on chain 84532/)
    expect(existsSync(configFile)).toBe(false)

    const eoa = fromChainAddress(chain.account(7).address)
    await expect(deployToChain({ rpcUrl: chain.rpcUrl, key, token: eoa, configFile, recordFile, artifacts: art() })).rejects.toThrow(`the token 0x${eoa} has no code on chain 84532`)
    // The chain's own ERC-20 (an OpenZeppelin token; Test USDC's mint is refused off 31337).
    const w = chain.walletClient(0)
    const hash = await w.deployContract({ abi: art().TestUSDC.abi, bytecode: art().TestUSDC.bytecode })
    const token = fromChainAddress((await chain.publicClient.waitForTransactionReceipt({ hash })).contractAddress!)
    const r = await deployToChain({ rpcUrl: chain.rpcUrl, key, token, asset: 'USDC', assetDecimals: 6, configFile, recordFile, artifacts: art() })
    const cfg = loadChainConfig({ file: configFile, env: {} })
    expect(cfg).toMatchObject({ rpcUrl: chain.rpcUrl, chainId: 84532, adjudicator: r.record.address, token, verifier: r.record.verifier, asset: 'USDC', assetDecimals: 6, deploymentBlock: r.record.block })
    expect(readDeploymentFile(recordFile)).toEqual(r.record)
    expect(r.record.artifactHashes.token).toBeNull()
    expect(await chain.publicClient.getCode({ address: `0x${cfg.adjudicator}` })).toMatch(/^0x[0-9a-f]{100,}/)
    // anvil, but not the dev chain: dev-only actions stay refused.
    expect(await checkDevChain(cfg)).toEqual({ dev: false, reason: 'the configured chain id is 84532, not 31337' })

    await expect(deployToChain({ rpcUrl: chain.rpcUrl, key, token, configFile, recordFile, artifacts: art() })).rejects.toThrow(/exists; pass --force/)
  })

  it('an RPC that does not answer is one line naming the URL, not viem\'s dump of the request', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`
    const key = bytesToHex(chain.account(0).getHdKey().privateKey!)
    await expect(deployToChain({ rpcUrl: dead, key, configFile: join(dir, 'never.json'), artifacts: art() })).rejects.toThrow(`${dead}: no JSON-RPC answer (fetch failed): check the URL`)
    // Before: "HTTP request failed.\n\nURL: ...\nRequest body: {...}\n\nDetails: fetch failed\nVersion: viem@...".
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'channel-contract/chain/deployment.ts', '--rpc', dead, '--config-out', join(dir, 'never.json')], {
      env: { ...process.env, OTC_DEPLOYER_KEY: key },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect([r.status, r.stderr]).toEqual([1, `--rpc ${dead}: no JSON-RPC answer (fetch failed): check the URL\n`])
    // The same failure from viem, mid-deployment, reads the same way; other viem errors keep their first line.
    const viem = new HttpRequestError({ url: dead, body: { method: 'eth_sendRawTransaction' }, details: 'fetch failed' })
    expect(describeDeployError(viem)).toBe(`--rpc ${dead}: no JSON-RPC answer (fetch failed): check the URL`)
    expect(describeDeployError(new BaseError('Execution reverted.', { details: 'insufficient funds' }))).toBe('Execution reverted. (insufficient funds)')
  })

  it('the CLI refuses to run without a deployer key, saying which variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'channel-contract/chain/deployment.ts', '--rpc', chain.rpcUrl], {
      env: { ...process.env, OTC_DEPLOYER_KEY: '' },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/OTC_DEPLOYER_KEY: required, 0x followed by 64 hex characters/)
  })
})
