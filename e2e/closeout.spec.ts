// Close out before expiry by quote, and counters answered in words (issue 15, negotiation part);
// a person declines a close-out or an RFQ with a reason the requester reads.
// What a person reads at each step (role and text); balances checked to the minor unit from the
// exact figures the page keeps for hover (data-exact). Screenshots: <results>/screenshots/.
import type { Page } from '@playwright/test'
import { test, expect, newTrader, demoService, twoTradersInChannel, type Stack, workerPort } from './fixtures.ts'
import { createIdentity, exactAmount, getTestFunds, buyPut, openDemoChannel, requestPut, seriousA11y, shot, trade } from './app.ts'

const exactBig = async (page: Page, testId: string): Promise<bigint> => BigInt(await exactAmount(page, testId))
/** The Risk tab's realised P&L total (settled and closed positions), exact. */
const realisedTotal = async (page: Page): Promise<bigint> => BigInt((await page.getByTestId('realised-total').locator('[data-exact]').getAttribute('data-exact'))!)

/** This worker's port for the spec's demo desk (fixtures.ts workerPort). */
const demoPort = (): number => workerPort(8773)
let lastDesk: { tail: (lines?: number) => string } | null = null

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && lastDesk) console.log(`[desk log: ${testInfo.title}]\n${lastDesk.tail(80)}`)
})

async function startDesk(stack: Stack): Promise<{ stop: () => Promise<void> }> {
  const demo = demoService(stack, demoPort())
  lastDesk = demo
  await demo.start()
  return { stop: () => demo.stop() }
}

/** A new trader with an identity and test funds, in an open channel with the demo desk. */
async function traderWithDesk(browser: Parameters<typeof newTrader>[0], stack: Stack, name: string): Promise<Page> {
  const trader = await newTrader(browser, stack, name, `&demo=${encodeURIComponent(`http://127.0.0.1:${demoPort()}`)}`)
  const page = trader.page
  await trader.open()
  await createIdentity(page)
  await getTestFunds(page)
  await openDemoChannel(page)
  return page
}




test('close out one position, then all: the desk quotes, the trader accepts, both sign; the positions are gone and the balances move by the quotes to the minor unit', async ({ browser, stack }) => {
  test.setTimeout(240_000)
  const desk = await startDesk(stack)
  try {
    const page = await traderWithDesk(browser, stack, 'closeout-desk')
    const total = (await exactBig(page, 'my-balance')) + (await exactBig(page, 'their-balance'))
    const beforeTrade = await exactBig(page, 'my-balance')

    await buyPut(page, '0.1')
    await expect(page.getByTestId('latest-version')).toHaveText('state v1')
    const mine = await exactBig(page, 'my-balance')
    const premiumPaid = beforeTrade - mine // a bought put locks nothing of mine: my balance fell by its premium
    expect(premiumPaid).toBeGreaterThan(0n)
    const theirs = await exactBig(page, 'their-balance')

    // Risk -> Close out: my own mark for reference, then a quote is asked of the desk.
    await page.getByRole('tab', { name: 'Risk' }).click()
    await page.getByRole('button', { name: /^Close out bought/ }).click()
    const closeOut = page.getByRole('region', { name: 'Close out' })
    await expect(closeOut.getByTestId('close-out-price')).toHaveText(/^At your mark: Demo Desk pays you [\d,]+\.\d{2} USDC\.$/)
    await expect(closeOut).toContainText('Demo Desk quotes a price for it; you accept or not.')
    await closeOut.getByRole('button', { name: 'Request a quote from Demo Desk' }).click()

    // The desk's quote, in words, with its validity; the request is not a trade ticket.
    const quoted = closeOut.getByTestId('close-out-quote')
    await expect(quoted).toHaveText(/^Demo Desk's price to close out: Demo Desk pays you [\d,]+\.\d{2} USDC \(valid 0:\d{2}\)\. Accepting unwinds the position: both locks return, nothing new opens\.$/, { timeout: 30_000 })
    await expect(closeOut.getByTestId('close-out-row')).toHaveText(/^bought BTC-USD \d{4}-\d{2}-\d{2} · long put [\d,]+ x 0\.1: quoted: Demo Desk pays you [\d,]+\.\d{2} USDC \(valid 0:\d{2}\)$/)
    // Against the trader's own mark: what accepting gives up (or gains), in money and as a share.
    await expect(closeOut.getByTestId('close-out-vs-mark')).toHaveText(/^That is (exactly your mark|[\d,]+\.\d{2} USDC( \(\d+\.\d%\))? (worse|better) for you than your mark)\.$/)
    // The vol the desk's price implies, beside the mark's, and the shift between them as shown.
    const volLine = closeOut.getByTestId('close-out-vol')
    await expect(volLine).toHaveText(/^Demo Desk's price implies \d+\.\d% vol vs your mark at \d+\.\d% \((±0|[+-]\d+(\.\d)?) vol pts\)\.$/)
    const [, implied, markVol, shift] = /implies (\d+\.\d)% vol vs your mark at (\d+\.\d)% \((±0|[+-][\d.]+) vol pts\)/.exec((await volLine.textContent())!)!
    expect(Math.round((Number(implied) - Number(markVol)) * 10) / 10).toBe(shift === '±0' ? 0 : Number(shift))
    // What accepting realises on the position: the premium paid at the fill plus what the close-out pays.
    await expect(closeOut.getByTestId('close-out-realised')).toHaveText(/^Closing realises [+-]?[\d,]+\.\d{2} USDC on this position \(premium paid [\d,]+\.\d{2}, close-out pays you [\d,]+\.\d{2}\)\.$/)
    /** The exact figures of the quote and of the realised line (total, premium, payment), read in one go. */
    const figures = () => closeOut.evaluate((el) => {
      const exact = (id: string) => [...el.querySelectorAll(`[data-testid="${id}"] [data-exact]`)].map((e) => BigInt(e.getAttribute('data-exact')!).toString())
      return { quote: exact('close-out-quote'), realised: exact('close-out-realised') }
    }).then((f) => ({ quote: f.quote.map(BigInt), realised: f.realised.map(BigInt) }))
    const seen = await figures()
    expect(seen.realised).toEqual([seen.quote[0]! - premiumPaid, premiumPaid, seen.quote[0]!])
    await shot(page, 'close-out-quoted')
    const found = await seriousA11y(page, 'close-out quoted at 1280', { include: '.close-out', sideways: true })
    await page.setViewportSize({ width: 390, height: 844 })
    await expect(quoted).toBeVisible()
    await shot(page, 'close-out-quoted')
    found.push(...(await seriousA11y(page, 'close-out quoted at 390', { include: '.close-out', sideways: true })))
    expect(found).toEqual([])
    await page.setViewportSize({ width: 1280, height: 800 })

    const accept = closeOut.getByRole('button', { name: /^Accept: Demo Desk pays you [\d,]+\.\d{2} USDC$/ })
    const atAccept = await figures()
    const payment = atAccept.quote[0]!
    expect(payment).toBeGreaterThan(0n)
    await accept.click()
    await expect(closeOut.getByTestId('close-out-status')).toHaveText(/^Closed out BTC-USD \d{4}-\d{2}-\d{2} · long put [\d,]+ x 0\.1: Demo Desk paid you [\d,]+\.\d{2} USDC \(v2\)\./, { timeout: 30_000 })
    // What the preview said it realises is what the settled table now shows (one rule).
    await expect.poll(() => realisedTotal(page)).toBe(atAccept.realised[0]!)
    expect(atAccept.realised[0]).toBe(payment - premiumPaid)
    await expect(page.getByTestId('position-count')).toHaveText('0')
    await expect(page.getByText('No open positions.')).toBeVisible()
    // The blotter lists the close-out beside the fill it ended (it listed the fill only).
    await page.getByRole('tab', { name: 'Blotter' }).click()
    const closeOutRow = page.getByTestId('blotter').locator('tbody tr[data-kind="close-out"]')
    await expect(closeOutRow).toHaveCount(1)
    await expect(closeOutRow).toContainText(/close-out BTC-USD .* long put .* x 0\.1/)
    await expect(closeOutRow).toContainText('sold')
    await expect(closeOutRow).toContainText('v2')
    await page.getByRole('tab', { name: 'Risk' }).click()

    // To the minor unit: I receive exactly the quoted amount (a bought put locks nothing of mine);
    // the desk pays it and gets its collateral back; nothing is created or lost.
    expect(await exactBig(page, 'my-balance')).toBe(mine + payment)
    const theirsAfter = await exactBig(page, 'their-balance')
    expect(theirsAfter - theirs).toBeGreaterThan(-payment) // its lock came back
    expect((await exactBig(page, 'my-balance')) + theirsAfter).toBe(total)
    await shot(page, 'close-out-done')

    // The audit says what version 2 did, in words.
    await page.getByRole('tab', { name: 'History & audit' }).click()
    await expect(page.getByTestId('signed-states')).toContainText(/Close-out \(unwind\) of 1 position: you received [\d,]+\.\d{2} USDC/)
    // The close-out ticket never shows among trade tickets (accepting there would trade, not unwind).
    await page.getByRole('tab', { name: 'Trade' }).click()
    await expect(page.getByRole('button', { name: /^RFQ \d+ / })).toHaveCount(1)

    // Close out all: two more puts, one quote each, one unwind for both at the sum of the quotes.
    for (const [qty, count] of [['0.2', '1'], ['0.3', '2']] as const) {
      await requestPut(page, qty)
      await page.locator('[data-testid="quote"][data-status="live"]').first().getByRole('button', { name: 'Accept' }).click()
      await expect(page.getByTestId('position-count')).toHaveText(count, { timeout: 20_000 })
    }
    const before = await exactBig(page, 'my-balance')
    // Every notice the page shows from here on, in order (each stays 8 s: recorded as it appears).
    await page.evaluate(() => {
      const w = window as unknown as { __notices: string[] }
      w.__notices = []
      new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) if (n instanceof HTMLElement && n.classList.contains('toast')) w.__notices.push(n.textContent ?? '')
      }).observe(document.body, { subtree: true, childList: true })
    })
    await page.getByRole('tab', { name: 'Risk' }).click()
    const realisedBefore = await realisedTotal(page)
    await page.getByRole('button', { name: 'Close out all (2)' }).click()
    await closeOut.getByRole('button', { name: 'Request a quote from Demo Desk' }).click()
    await expect(closeOut.getByTestId('close-out-row')).toHaveCount(2)
    await expect(quoted).toHaveText(/^Demo Desk's price to close out: Demo Desk pays you [\d,]+\.\d{2} USDC in all \(valid 0:\d{2}\)\. Accepting unwinds the positions/, { timeout: 30_000 })
    // One implied vol is not defined for two positions priced together: said, not shown.
    await expect(volLine).toHaveText('No implied vol for this price: the price covers 2 positions together, and one vol is not defined for a sum of options.')
    await expect(closeOut.getByTestId('close-out-realised')).toHaveText(/^Closing realises [+-]?[\d,]+\.\d{2} USDC on these positions \(net premium paid [\d,]+\.\d{2}, close-out pays you [\d,]+\.\d{2}\)\.$/)
    // The desk re-quotes both tickets before its quotes expire (the validity shown jumps back up).
    // The ticket on screen shows its quotes as they come: no notice over it, for the quote or the
    // re-quotes (off this tab a close-out request is one notice, re-quotes none: deskEvents.test.ts).
    let lowest = Infinity
    await expect.poll(async () => {
      const left = Number(/\(valid 0:(\d{2})\)/.exec((await quoted.textContent()) ?? '')?.[1] ?? NaN)
      const jumped = left > lowest + 2
      lowest = Math.min(lowest, left)
      return jumped
    }, { timeout: 45_000, intervals: [500], message: 'the desk re-quotes the close-out before its quote expires' }).toBe(true)
    const notices = await page.evaluate(() => (window as unknown as { __notices: string[] }).__notices)
    expect(notices.filter((n) => n.startsWith('Demo Desk quoted your close-out')), `notices: ${JSON.stringify(notices)}`).toEqual([])
    expect(notices.filter((n) => n.startsWith('New quote from')), `notices: ${JSON.stringify(notices)}`).toEqual([])
    const rows = await closeOut.getByTestId('close-out-row').locator('[data-exact]').evaluateAll((es) => es.map((e) => BigInt(e.getAttribute('data-exact')!).toString()))
    const both = await figures()
    const sum = both.quote[0]!
    expect(rows.map(BigInt).reduce((x, y) => x + y, 0n)).toBe(sum)
    expect(both.realised[0]).toBe(sum - both.realised[1]!) // the payment less the two premiums paid
    expect(both.realised[2]).toBe(sum)
    await closeOut.getByRole('button', { name: /^Accept: Demo Desk pays you / }).click()
    await expect(closeOut.getByTestId('close-out-status')).toHaveText(/^Closed out 2 positions \(BTC-USD .+; BTC-USD .+\): Demo Desk paid you [\d,]+\.\d{2} USDC in all \(v5\)\./, { timeout: 30_000 })
    await expect.poll(() => realisedTotal(page)).toBe(realisedBefore + both.realised[0]!)
    await expect(page.getByTestId('position-count')).toHaveText('0')
    expect(await exactBig(page, 'my-balance')).toBe(before + sum)
    expect((await exactBig(page, 'my-balance')) + (await exactBig(page, 'their-balance'))).toBe(total)
  } finally {
    await desk.stop()
  }
})

test('a counter below the desk\'s mid is answered in words; Suggest then proposes one the desk takes, and it reads filled', async ({ browser, stack }) => {
  test.setTimeout(150_000)
  const desk = await startDesk(stack)
  try {
    const page = await traderWithDesk(browser, stack, 'closeout-counter')
    await requestPut(page, '0.3')
    await page.locator('[data-testid="quote"][data-status="live"]').first().getByRole('button', { name: 'Counter' }).click()
    const counter = page.getByRole('region', { name: 'Counter quote' })
    await counter.getByLabel('Premium (USDC)').fill('0.01')
    await counter.getByRole('button', { name: /^Sign and send bid at 0\.01 USDC/ }).click()
    await expect(page.getByTestId('quote-declined')).toHaveText(/^Demo Desk will not take your counter: the desk sells at no less than its mid of [\d,]+\.\d\d USDC; your counter is 0\.01 USDC\.$/, { timeout: 20_000 })
    // My declined counter no longer asks me to wait for the desk.
    const mine = page.getByTestId('quote').filter({ hasText: 'will not take your counter' })
    await expect(mine).toContainText('declined by the other trader; counter their quote again, or ask for a new one')
    await expect(mine).not.toContainText('wait for the other trader')
    await shot(page, 'counter-declined-reason')

    // Suggest: a price the desk can take (at or above its mid); it fills. (The desk's quote, not my declined counter.)
    await page.locator('[data-testid="quote"][data-status="live"]').filter({ hasNotText: 'Your counter' }).first().getByRole('button', { name: 'Counter' }).click()
    await counter.getByRole('button', { name: 'Suggest' }).click()
    await expect(counter.getByTestId('counter-hint')).toContainText(/^Demo Desk asks [\d,]+\.\d{2} USDC; your mid [\d,]+\.\d{2} USDC\. Suggested: half way to your mid, at most half a vol point/)
    await counter.getByRole('button', { name: /^Sign and send bid at/ }).click()
    await expect(page.getByRole('region', { name: /^Filled You bought 0\.3 BTC/ })).toBeVisible({ timeout: 30_000 })
    const filled = page.getByTestId('quote').filter({ hasText: 'Your counter' }).filter({ hasNotText: 'will not take' })
    await expect(filled).toContainText('filled')
    await stack.chain.advanceClock(120_000) // past the counter's validity
    await expect(page.getByText(/^chain time /)).toBeVisible()
    await page.waitForTimeout(4_000) // the page reads the chain's head every 2 s
    await expect(filled).toContainText('filled')
    await expect(filled).not.toContainText('expired')
  } finally {
    await desk.stop()
  }
})

/** The RFQ tickets in a trader's list. */
const rfqTickets = (page: Page) => page.getByRole('button', { name: /^RFQ \d+ / })

/** Alice asks Bob to quote the close-out of her bought position; Bob opens the request as a ticket. Returns Alice's close-out panel. */
async function closeOutToPerson(a: Page, b: Page) {
  await a.getByRole('tab', { name: 'Risk' }).click()
  await a.getByRole('button', { name: /^Close out bought/ }).click()
  const closeOut = a.getByRole('region', { name: 'Close out' })
  await closeOut.getByRole('button', { name: /^Request a quote from / }).click()
  await expect(closeOut.getByTestId('close-out-row')).toContainText(/waiting for .*'s quote/)
  await b.getByRole('tab', { name: 'Trade' }).click()
  const tickets = rfqTickets(b)
  await expect(tickets).toHaveCount(2)
  await tickets.last().click()
  await expect(b.getByRole('region', { name: 'RFQ ticket' })).toContainText(/close out position [0-9a-f]{64}/)
  return closeOut
}

test('a person quotes the close-out with the same quote form; accepting unwinds and their app signs it at their quote', async ({ browser, stack }) => {
  test.setTimeout(240_000)
  const { alice, bob } = await twoTradersInChannel(browser, stack)
  const a = alice.page
  const b = bob.page
  await trade(a, b, '500')
  const aBefore = await exactBig(a, 'my-balance')

  const closeOut = await closeOutToPerson(a, b)
  // Bob, on the close-out ticket, answers with the usual quote form: he buys the put back.
  const form = b.getByRole('region', { name: 'Your quote' })
  await form.getByLabel('Premium (USDC)').fill('321.5')
  // Far above Bob's fair value of the put he buys back: the form signs nothing until he confirms the price.
  await expect(form.getByTestId('premium-vs-fair')).toHaveText(/^[\d,]+% of fair \([\d,.]+ USDC\) · \d+(\.\d+)?% vol$/)
  await expect(form.getByTestId('premium-confirm')).toContainText('Check the price: far above your fair value.')
  await expect(form.getByRole('button', { name: /^Sign and send bid at 321\.5/ })).toBeDisabled()
  await form.getByLabel('Sign at this price anyway').check()
  await form.getByRole('button', { name: /^Sign and send bid at 321\.5/ }).click()

  await expect(closeOut.getByTestId('close-out-quote')).toHaveText(/price to close out: .* pays you 321\.50 USDC/, { timeout: 20_000 })
  // Alice paid 500 for the put; Bob buys it back at 321.50: she realises the difference, signs as read.
  await expect(closeOut.getByTestId('close-out-realised')).toHaveText('Closing realises -178.50 USDC on this position (premium paid 500.00, close-out pays you 321.50).')
  // 321.50 for 0.1 of a put about 10% out of the money, a week out: far above the mark's vol.
  await expect(closeOut.getByTestId('close-out-vol')).toHaveText(/^.+'s price implies \d+\.\d% vol vs your mark at \d+\.\d% \(\+\d+(\.\d)? vol pts\)\.$/)
  await closeOut.getByRole('button', { name: /^Accept: .* pays you 321\.50 USDC$/ }).click()
  await expect(closeOut.getByTestId('close-out-status')).toHaveText(/^Closed out BTC-USD \d{4}-\d{2}-\d{2} · long put [\d,]+ x 0\.1: .+ paid you 321\.50 USDC \(v2\)\./, { timeout: 30_000 })
  for (const p of [a, b]) await expect(p.getByTestId('position-count')).toHaveText('0')
  expect(await exactBig(a, 'my-balance')).toBe(aBefore + 321_500_000n)
  await shot(a, 'close-out-by-person')
})

test('a person declines a close-out and an RFQ with a reason; the requester reads it in words', async ({ browser, stack }) => {
  test.setTimeout(240_000)
  const { alice, bob } = await twoTradersInChannel(browser, stack)
  const a = alice.page
  const b = bob.page
  await trade(a, b, '500')

  const closeOut = await closeOutToPerson(a, b)
  const tickets = rfqTickets(b)
  // Bob, on the close-out ticket, will not quote it: an empty reason is refused in words.
  await b.getByRole('button', { name: 'Decline with a reason' }).click()
  const decline = b.getByRole('region', { name: 'Decline with a reason' })
  await decline.getByRole('button', { name: 'Send decline' }).click()
  await expect(decline.getByRole('alert')).toHaveText(/^Write the reason the requester will read/)
  // The form, with its error shown, is readable at both widths.
  const formFindings: string[] = []
  for (const vp of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
    await b.setViewportSize(vp)
    formFindings.push(...(await seriousA11y(b, `decline form at ${vp.width}`, { include: '.decline-request' })))
  }
  expect(formFindings).toEqual([])
  await decline.getByLabel(/^Your reason/).fill('I keep this hedge until the fixing.')
  await decline.getByRole('button', { name: 'Send decline' }).click()
  await expect(b.getByTestId('my-decline')).toHaveText(/^You declined this close-out: I keep this hedge until the fixing\./)

  // Alice reads Bob's reason beside the position, and what she can do; nothing can be accepted.
  await expect(closeOut.getByTestId('close-out-row')).toContainText(/will not quote it: I keep this hedge until the fixing\./, { timeout: 20_000 })
  await expect(closeOut.getByRole('status').filter({ hasText: 'will not quote this position' })).toContainText('withdraw the request, or ask again later')
  await expect(closeOut.getByRole('button', { name: 'Accept' })).toBeDisabled()
  await shot(a, 'close-out-declined-by-person')
  await closeOut.getByRole('button', { name: 'Withdraw request' }).click()
  await expect(a.getByTestId('position-count')).toHaveText('1')
  await expect(tickets).toHaveCount(1) // the withdrawn close-out leaves Bob's list

  // An ordinary RFQ: Alice asks, Bob declines with a reason, Alice reads it on her ticket.
  await a.getByRole('tab', { name: 'Trade' }).click()
  await a.getByRole('button', { name: 'New RFQ' }).click()
  await a.getByLabel('Leg 1 quantity').fill('0.2')
  await a.getByRole('button', { name: 'Request quotes' }).click()
  await expect(tickets).toHaveCount(2)
  await tickets.last().click()
  await expect(b.getByLabel('Leg 1 quantity')).toHaveValue('0.2')
  await b.getByRole('button', { name: 'Decline with a reason' }).click()
  await decline.getByLabel(/^Your reason/).fill('no appetite for more puts today')
  await decline.getByRole('button', { name: 'Send decline' }).click()
  await expect(b.getByTestId('my-decline')).toHaveText(/^You declined this request: no appetite for more puts today\./)
  await expect(a.getByTestId('request-declined')).toHaveText(/^.+ will not quote this request: no appetite for more puts today\.$/, { timeout: 20_000 })
  // Bob's words are said as his refusal, not left in Alice's own note box; her ticket's button says declined.
  await expect(a.getByRole('region', { name: 'RFQ ticket' }).getByLabel('Note to the quoter')).toHaveValue('')
  await expect(a.getByRole('button', { name: /^RFQ \d+ · mine · declined$/ })).toBeVisible()
  await expect(a.getByRole('region', { name: 'RFQ ticket' })).not.toContainText('Waiting for')
  await shot(a, 'rfq-declined-by-person')
})
