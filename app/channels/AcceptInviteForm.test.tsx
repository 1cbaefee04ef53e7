import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { deploymentId } from '../../core/index.ts'

const ADJUDICATOR = '11'.repeat(20)
const TOKEN = '5fbdb2315678afecb367f032d93f642f64180aa3'

/** The review's contract and token rows, on a page built for the dev chain's deployment (ADJUDICATOR, TOKEN), for an invite to `contract` on `chainId`. */
async function rows(chainId: number, contract: string): Promise<{ contract: string; token: string; tokenHtml: string }> {
  vi.resetModules()
  const env = {
    VITE_CHAIN_RPC_URL: 'http://127.0.0.1:8545', VITE_CHAIN_ID: '31337', VITE_ADJUDICATOR: `0x${ADJUDICATOR}`, VITE_TOKEN: `0x${TOKEN}`,
    VITE_VERIFIER: `0x${'33'.repeat(20)}`, VITE_ASSET: 'USDC', VITE_ASSET_DECIMALS: '6',
  }
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v)
  vi.stubGlobal('location', { search: '' })
  try {
    const { InviteDeploymentRows } = await import('./AcceptInviteForm.tsx')
    const html = renderToStaticMarkup(
      <table><tbody>
        <InviteDeploymentRows params={{ contract, chainId, asset: 'USDC' }} contractId={deploymentId(chainId, contract)} here={{ contractId: deploymentId(31337, ADJUDICATOR), token: TOKEN }} />
      </tbody></table>,
    )
    const cell = (id: string) => new RegExp(`data-testid="${id}"[^>]*>(.*?)</td>`).exec(html)![1]!
    const text = (s: string) => s.replace(/<[^>]+>|<!--.*?-->/g, '').replace(/&#x27;/g, "'")
    return { contract: text(cell('invite-contract')), token: text(cell('invite-token')), tokenHtml: cell('invite-token') }
  } finally {
    vi.unstubAllEnvs()
    vi.unstubAllGlobals()
  }
}

describe('AcceptInviteForm: the invite\'s contract and token', () => {
  it('this deployment: its chain by name and id, and the token it holds by address (every digit in the tooltip)', async () => {
    const r = await rows(31337, ADJUDICATOR)
    expect(r.contract).toBe(`0x${ADJUDICATOR} on Anvil (local) · chain 31337 (this deployment)`)
    expect(r.token).toBe("USDC at 0x5fbdb2…0aa3 (this deployment's token)")
    expect(r.tokenHtml).toContain(`title="0x${TOKEN}"`)
  })

  it('another deployment: its chain by id alone (the page knows no name for it), and no token claimed for it', async () => {
    const other = '44'.repeat(20)
    const r = await rows(8453, other)
    expect(r.contract).toBe(`0x${other} on chain 8453 (NOT the deployment this app uses)`)
    expect(r.token).toBe('not known: the contract is not the deployment this app uses')
    expect((await rows(31337, other)).contract, 'another contract on the same chain: named as the chain is').toBe(`0x${other} on Anvil (local) · chain 31337 (NOT the deployment this app uses)`)
  })
})
