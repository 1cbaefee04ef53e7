// The dev chain stopped and started again from its state (anvil --state, as `npm start` runs it)
// under a running desk and an open channel: the desk says once that the chain is gone and when it is
// back, and then trades, closes on chain and pays out as if nothing happened; nothing co-signed
// before the stop is lost, and every balance in the contract is right to the minor unit.
//   node scripts/netns.mjs npx vitest run desk/chainRestart.test.ts
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rmSync } from 'node:fs'
import { nextExpiry } from '../core/index.ts'
import { tempDir, type Service } from '../scripts/services.ts'
import { proposeChannel } from '../app/channels/proposal.ts'
import { ChainTrader, USDC, buyPutFromDesk, deskProcess, deskUrlOf, startDevnetStack, until, type Stack } from './testbed.ts'

describe('the dev chain restarts under the desk', () => {
  let stack: Stack & { chain: Service }
  let desk: Service
  const chainDir = tempDir('otc-restart-chain-')
  const deskDir = tempDir('otc-restart-desk-')
  const cleanup: (() => void | Promise<void>)[] = []

  beforeAll(async () => {
    stack = await startDevnetStack(chainDir, { watchtower: false })
    desk = deskProcess(stack, deskDir)
    await desk.start()
  }, 240_000)

  afterAll(async () => {
    for (const c of cleanup.reverse()) await c()
    await desk?.stop()
    await stack?.stop()
    rmSync(chainDir, { recursive: true, force: true })
    rmSync(deskDir, { recursive: true, force: true })
  })

  it('keeps the channel, trades after the restart, closes on chain, balances to the minor unit', async () => {
    const info = (await (await fetch(`${deskUrlOf(desk)}/info`)).json()) as { contact: string; evmAddress: string }
    const deskFree = () => trader.settlement.chain.freeBalance(info.evmAddress.slice(2))
    const trader = await ChainTrader.start(stack, 50_000n * USDC)
    const rec = proposeChannel(trader.keys, { counterparty: info.contact, label: 'Demo', myDeposit: '50000', theirDeposit: '50000', challengeHours: '24' }, { chainId: stack.config.chainId, contract: stack.config.adjudicator, oracle: stack.oracle.oracle.publicKey, myEvm: trader.evm }, Date.now())
    expect((await fetch(`${deskUrlOf(desk)}/invite`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rec.invite) })).status).toBe(200)
    const { session } = await trader.join(stack, rec, cleanup)
    const diag = () => `trader: ${JSON.stringify({ latest: session.view.latest?.state.version, errors: session.getSnapshot().errors })}\ndesk:\n${desk.tail(30)}\nchain:\n${stack.chain.tail(10)}`
    await trader.openOnChain(session, rec, diag)
    const deskBefore = await deskFree()

    const expiry = nextExpiry(trader.clock() + 3 * 3_600_000)
    const strike = String(Math.round((trader.spot('BTC-USD') * 0.9) / 100) * 100)
    const tradeOnce = (what: string) => buyPutFromDesk(session, { expiry, strike }, what, 20_000, diag)
    await tradeOnce('before the restart')
    const before = session.view.latest!

    // The chain stops (anvil dumps its state) for a few seconds, then starts again from it.
    await stack.chain.stop('SIGTERM')
    await until("the desk notices the chain's absence", () => /cannot read the chain's time or the oracle's marks \(1 time\)/.test(desk.tail(200)), 10_000, diag)
    await new Promise((r) => setTimeout(r, 2_000))
    await stack.chain.start()
    await until('the desk sees the chain again', () => /the chain and the oracle answer again/.test(desk.tail(200)), 15_000, diag)
    expect(desk.running).toBe(true)
    expect(await trader.settlement.chain.channel(rec.channelId)).toMatchObject({ status: 'open', holdings: rec.deposits.A + rec.deposits.B })

    await tradeOnce('after the restart')
    expect(session.view.latest!.state.version).toBe(before.state.version + 1)
    // Close out the two puts, then close on chain. The trader hands them back for nothing: a price
    // the desk takes whatever the marks (half the premiums paid could fall outside its tolerance
    // around fair value: premiums here are a few hundred minor units, its spread half of that).
    const ids = session.view.latest!.state.positions.map((p) => p.id)
    await session.proposeUnwind(ids, 0n)
    await until('co-signed unwind', () => session.view.latest?.state.positions.length === 0, 20_000, diag)
    await session.proposeFinal()
    await until('co-signed final state', () => session.view.latest?.state.isFinal, 20_000, diag)
    const final = session.view.latest!
    await trader.authorize(session, 'close', final)
    await until('channel closed on the contract', async () => (await trader.settlement.chain.channel(rec.channelId)).status === 'closed', 30_000, diag, { throwsWhileDown: true })
    expect(await trader.free()).toBe(final.state.balanceA)
    expect(await deskFree()).toBe(deskBefore + final.state.balanceB)
    expect(final.state.balanceA + final.state.balanceB).toBe(rec.deposits.A + rec.deposits.B)
    expect(session.view.equivocation).toEqual([])
  })
})
