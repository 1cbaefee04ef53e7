// One channel's bot (channelBot.ts) in this process against a trader's session, the two docs linked
// in memory, the contract and the market stubbed (the channel reads as open on chain): what the bot
// keeps per ticket must not grow with the channel's history.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { channelIdOf, type ChannelSpec } from '../core/index.ts'
import { testSpec } from '../core/testkit.ts'
import { ChannelSession } from '../core/sync/index.ts'
import { FileJournal } from '../core/sync/journal-store.ts'
import type { ChannelStore, MemoryChannelStore, StoreRecord, StoredChannel } from '../core/sync/store.ts'
import { DEPOSIT, DAY, T0, keysA, keysB, linkDocs, makeParams, openingSigned, storeWithOpening } from '../core/sync/testkit.ts'
import type { SettlementChannelView } from '../channel-contract/client/settlement.ts'
import { ChannelBot, type ChannelBotDeps } from './channelBot.ts'
import type { ChainMarket } from './chainMarket.ts'
import { DEFAULT_RULES, quoteForTicket } from './marketMaker.ts'
import { until } from './testbed.ts'

let stop: (() => Promise<void>) | null = null
afterEach(async () => {
  await stop?.()
  stop = null
})

async function botAndTrader(o: { store?: (seed: StoredChannel) => Promise<ChannelStore>; log?: (line: string) => void; quoteTicket?: ChannelBotDeps['quoteTicket'] } = {}) {
  const params = makeParams(0x51)
  const channelId = channelIdOf(params)
  const opening = openingSigned(params, Date.now() - 1_000)
  const trader = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeWithOpening(opening) })
  const spec: ChannelSpec = { ...testSpec(params.oracle), assetDecimals: params.assetDecimals }
  const market = { now: () => Date.now(), spec: () => spec, spot: () => 120, allSpots: () => ({ 'BTC-USD': 120 }), onRefresh: () => () => undefined }
  const onChain: SettlementChannelView = { channelId, status: 'open', deposited: 2n * DEPOSIT, holdings: 2n * DEPOSIT, version: 0, dispute: null, held: null, lockedPositions: null, finalizableAt: null, lockedCount: 0, paidOut: [] }
  // The desk's store starts with the trader's doc (the epoch it made), as a room's first sync gives it.
  const seed = storeWithOpening(opening)
  seed.updates.push(Y.encodeStateAsUpdate(trader.doc))
  const store = o.store ? await o.store(seed) : seed
  const deps: ChannelBotDeps = {
    entry: { channelId, params, me: 'B', roomSecret: '5a'.repeat(32), deposits: { A: DEPOSIT, B: DEPOSIT }, acceptedAt: 0 },
    keys: keysB,
    settlement: { view: async () => onChain } as unknown as ChannelBotDeps['settlement'],
    market: market as unknown as ChainMarket,
    connect: (doc) => {
      // The trader's doc and the desk's, linked as over a transport.
      const unlink = linkDocs(doc, trader.doc)
      return { getStatus: () => ({ webrtcPeers: 1, signalingConnected: 1, synced: true }), subscribe: () => () => undefined, destroy: unlink }
    },
    store,
    name: 'Test Desk',
    rules: { ...DEFAULT_RULES, quietMs: 0 },
    watchtower: false,
    log: o.log ?? (() => undefined),
    spendFunds: (_amount, tx) => tx(),
    ...(o.quoteTicket ? { quoteTicket: o.quoteTicket } : {}),
  }
  const bot = await ChannelBot.start(deps)
  stop = async () => {
    await bot.stop()
    await trader.close()
  }
  return { bot, trader }
}

describe('ChannelBot', () => {
  it("keeps what it notes per ticket for the tickets the channel lists only: a new ticket per trade does not grow it", async () => {
    const { bot, trader } = await botAndTrader()
    const trades = 20
    for (let i = 0; i < trades; i++) {
      const rfq = trader.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'call', strike: String(100 + (i % 5)), cap: '140', quantity: '1', direction: 'long' }] })
      await until(`the desk's quote on ticket ${i}`, () => trader.view.quotes.some((q) => q.signed.quote.rfqId === rfq && q.status === 'live') || null, 10_000, () => JSON.stringify({ quotes: trader.view.quotes.map((q) => [q.status, q.reason, q.signed.quote.rfqId]), rejected: trader.view.rejected, rfq, botQuotes: bot.session.view.quotes.map((q) => q.status) }))
      const q = trader.view.quotes.find((x) => x.signed.quote.rfqId === rfq && x.status === 'live')!
      const version = trader.view.latest!.state.version
      await trader.accept(q.hash)
      await until(`trade ${i} co-signed`, () => (trader.view.latest?.state.version ?? 0) > version || null, 10_000)
    }
    expect(trader.view.latest!.state.positions).toHaveLength(trades)
    // The trader compacts every few proposals (the engine's policy): filled tickets leave the doc.
    await until('a compaction', () => bot.session.view.rfqs.length < 8 || null, 10_000)
    const notes = bot as unknown as { seen: Map<string, unknown>; skipNotes: Map<string, unknown>; filling: Map<string, unknown> }
    // Let the bot pass over the channel once more, then: per-ticket notes only for listed tickets.
    await new Promise((r) => setTimeout(r, 1_200))
    const listed = new Set(bot.session.view.rfqs.map((t) => t.id))
    for (const [name, m] of Object.entries({ seen: notes.seen, skipNotes: notes.skipNotes, filling: notes.filling })) {
      for (const id of m.keys()) expect(listed.has(id), `${name} notes ticket ${id}, which the channel no longer lists`).toBe(true)
    }
    expect(notes.seen.size).toBeLessThan(trades)
  }, 60_000)

  it('stop() waits for a pass in flight (here mid-quote, its record still being written) before the session closes; the journal then closes with no failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otc-bot-stop-'))
    const lines: string[] = []
    const journal = await FileJournal.open(dir, { log: (l) => lines.push(`journal: ${l}`) })
    // The bot's store in the journal, holding the first quote record it writes until released:
    // the bot's pass is then in flight inside session.quote, as when a desk gets SIGTERM mid-pass.
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let holding!: () => void
    const held = new Promise<void>((r) => (holding = r))
    const quoteRecord = (records: readonly StoreRecord[]) => records.some((r) => r.k === 'quote')
    try {
      const { bot, trader } = await botAndTrader({
        log: (l) => lines.push(l),
        store: async (seed) => {
          const inner = journal.store(channelIdOf(makeParams(0x51)))
          await inner.replace(seed.records as StoreRecord[], seed.updates[0]!)
          let first = true
          return {
            load: () => inner.load(),
            append: async (records) => {
              if (first && quoteRecord(records)) {
                first = false
                holding()
                await gate
              }
              return inner.append(records)
            },
            appendUpdate: (u) => inner.appendUpdate(u),
            replace: (records, u) => inner.replace(records, u),
            close: () => inner.close(),
          }
        },
      })
      trader.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'call', strike: '100', cap: '140', quantity: '1', direction: 'long' }] })
      await held
      let stopped = false
      const stopping = bot.stop().then(() => (stopped = true))
      await new Promise((r) => setTimeout(r, 50))
      expect(stopped, 'stop() resolved while a pass was still writing its quote').toBe(false)
      release()
      await stopping
      await journal.close()
      expect(lines.filter((l) => /journal|error|could not/.test(l)), 'the bot and the journal told of no failure').toEqual([])
      expect(lines.some((l) => /quote [0-9a-f]{8} on ticket/.test(l)), 'the pass in flight finished its quote').toBe(true)
      // What the pass wrote is on disk: the desk reopened has the quote.
      const again = await FileJournal.open(dir)
      const stored = await again.store(bot.channelId).load()
      expect(stored.records.filter((r) => (r as StoreRecord).k === 'quote')).toHaveLength(1)
      await again.close()
    } finally {
      release()
      await journal.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 20_000)

  it("tells a style's refusal as the ticket's decline, once; one the ticket cannot carry is logged and the other tickets are still answered", async () => {
    const lines: string[] = []
    // A style that refuses strike 100 (SIZE_LIMIT), refuses strike 101 with no reason to tell, and quotes the rest.
    const quoteTicket: ChannelBotDeps['quoteTicket'] = (i) => {
      const strike = i.ticket.legs[0]?.strike
      if (strike === '100') return { kind: 'skip', code: 'SIZE_LIMIT', reason: 'legs of up to 0.5 BTC.', tell: true }
      if (strike === '101') return { kind: 'skip', code: 'DECLINED', reason: ' . ', tell: true }
      return quoteForTicket(i)
    }
    const { bot, trader } = await botAndTrader({ log: (l) => lines.push(l), quoteTicket })
    // Every ticket edit the bot makes.
    const edits: string[] = []
    const edit = bot.session.editRfq.bind(bot.session)
    bot.session.editRfq = (id, e) => {
      edits.push(`${id}:${e.field}`)
      return edit(id, e)
    }
    const ask = (strike: string) => trader.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'call', strike, cap: '140', quantity: '1', direction: 'long' }] })
    const [refused, bad, quoted] = [ask('100'), ask('101'), ask('102')]
    await until('the decline on the refused ticket', () => trader.view.rfqs.find((t) => t.id === refused)?.decline ?? null, 10_000)
    await until('the quote on the third ticket', () => trader.view.quotes.some((q) => q.signed.quote.rfqId === quoted) || null, 10_000)
    expect(trader.view.rfqs.find((t) => t.id === refused)!.decline).toEqual({ code: 'SIZE_LIMIT', reason: 'legs of up to 0.5 BTC' })
    expect(trader.view.rfqs.find((t) => t.id === refused)!.notes).toBe('')
    expect(trader.view.rfqs.find((t) => t.id === bad)!.decline).toBeNull()
    await until('the log of the decline it could not tell', () => lines.find((l) => l.includes(`could not tell ticket ${bad} why:`)) ?? null, 10_000, () => lines.join('\n'))
    expect(lines.find((l) => l.includes(`could not tell ticket ${bad} why:`))).toMatch(/why: INVALID_FIELD: decline\.reason: empty \(say why the request is not quoted\)$/)
    // Passes go on (one a second at least): the decline is written once, not again on every pass.
    await new Promise((r) => setTimeout(r, 1_200))
    expect(edits.filter((e) => e === `${refused}:decline`)).toEqual([`${refused}:decline`])
  }, 20_000)

  it("stop() compacts the channel's store, unless its compaction would begin after the deadline it is given (compactBy)", async () => {
    // Replaces (compactions) of the desk's store during stop(), for a bot that quoted once.
    const replacesAtStop = async (compactBy?: number) => {
      let replaces = 0
      const { bot, trader } = await botAndTrader({
        store: async (seed) => {
          const inner = seed as MemoryChannelStore
          return {
            load: () => inner.load(),
            append: (records) => inner.append(records),
            appendUpdate: (u) => inner.appendUpdate(u),
            replace: (records, u) => {
              replaces++
              return inner.replace(records, u)
            },
            close: () => inner.close(),
          }
        },
      })
      const rfq = trader.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'call', strike: '100', cap: '140', quantity: '1', direction: 'long' }] })
      await until("the desk's quote", () => trader.view.quotes.some((q) => q.signed.quote.rfqId === rfq) || null, 10_000)
      const before = replaces
      const store = await bot.stop(compactBy === undefined ? {} : { compactBy })
      return [store, replaces - before]
    }
    expect(await replacesAtStop()).toEqual(['compacted', 1])
    expect(await replacesAtStop(Date.now() + 60_000)).toEqual(['compacted', 1])
    expect(await replacesAtStop(Date.now() - 1)).toEqual(['late', 0])
  }, 30_000)
})
