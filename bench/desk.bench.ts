// The desk benchmark: the shipped desk (desk/service.ts, in a process of its own) serving 100
// channels whose clients, in this process, trade on its quotes. Settlement is the chain's: a local
// anvil with the adjudicator and Test USDC (ChainFixture, via desk/testbed.ts), the oracle service,
// no watchtower service (the desk would hand it every new state: an HTTP call per trade, and the
// watchtower, not the desk, would set the pace). Each client has its own EVM account (derived from
// its ed25519 key, as the app's), gets test funds and deposits them in the contract, and writes its
// EIP-712 open authorisation into the doc beside the opening proposal; the desk opens the channel
// on the contract (it quotes only once the channel is open on chain). Measured: countersigned trades per
// second sustained over the measuring window and the client's confirmation time (proposal written
// -> the desk's countersignature read) at that load.
//   desk.trades_per_s, desk.confirm_p99_ms: documents linked to the desk process through the Yjs
//     update interface a y-webrtc room feeds (bench/doc-link.ts), so the figure is the desk's cost.
//   desk.webrtc_*: the same, fewer channels, against desk/main.ts itself over real WebRTC.
//   DESK_BENCH_DESKS=n: the linked run over n desk processes, logged only (splitRun).
// The clients are deliberately light (no ChannelSession: they write proposals, signatures, tickets
// and compactions straight into the doc, party A's writes in the session's wire form) so that this
// process is not what limits the figure. Run: node scripts/netns.mjs npx tsx bench/run.ts desk
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { availableParallelism, loadavg } from 'node:os'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { configToJson } from '../channel-contract/chain/config.ts'
import type { ChainSettlement } from '../channel-contract/client/settlement.ts'
import {
  OPEN_AUTHORIZATION_TTL_MS, applyTransition, bytesToHex, channelIdOf, deploymentId, evmKeyOf, generateKeyPair, nextExpiry, openingState, signedQuoteSchema, stateDigest, stateHash, tryParse,
  type ChannelParams, type Hex, type KeyPair, type SignedQuote, type SignedState, type Transition,
} from '../core/index.ts'
import { nodeSignBytes, nodeVerifyBytes } from '../core/ed25519-node.ts'
import {
  ChannelRoom, channelRoomSecret, currentEpoch, deriveRoomKeys, ensureEpoch, newInviteCode, roomSecretBytes, sealInvite, section, sigKey, signaturesIn, startNewEpoch, writeAuthorization, writeProposal, writeRfq,
  type Proposal,
} from '../core/sync/index.ts'
import { loadNodeWebrtc } from '../core/sync/node.ts'
import { ChainMarket } from '../desk/chainMarket.ts'
import { pool } from '../desk/pool.ts'
import { DESK_NODE_ARGS } from '../desk/runtime.ts'
import { settlementFor } from '../desk/service.ts'
import { startTestbed, type Testbed } from '../desk/testbed.ts'
import { tempDir } from '../scripts/services.ts'
import { DocStream } from './doc-link.ts'
import { percentile, type BenchResult } from './result.ts'

const log = (s: string) => process.stderr.write(`[desk.bench] ${s}\n`)

/** All the bench's clients post their invites from one address: the desk's quotas (CLI flags) let them. */
export const BENCH_QUOTAS = ['--max-channels', '1000', '--max-channels-per-address', '1000', '--invite-burst', '1000']
const USDC = 1_000_000n
/** Open RFQ tickets each client keeps (the desk quotes a ticket once it has been still for 0.7 s). */
const TICKETS = 12
/** Open positions at which a client gives them all back (paymentAtoB 0: the desk approves). */
const UNWIND_AT = 24
/** Proposals at or below latest after which party A (the client) compacts, as the engine does. */
const COMPACT_AFTER = 8

interface Link {
  destroy(): void
  /** A WebRTC room's: withdraws this client's presence now, while the room is still up (closeLinks). */
  leave?(): void
}

/** One client: party A of a channel with the desk, written straight into the doc. */
class Client {
  readonly doc = new Y.Doc()
  latest: SignedState
  latestHash: Hex
  private maxSigned = 0
  private pending: { hash: Hex; state: SignedState['state']; sig: string; t0: number; trade: boolean } | null = null
  /** The signature of the quote the pending proposal trades on (kept through a compaction). */
  private pendingQuote: string | null = null
  private readonly sign: (digest: Uint8Array) => string
  /** Ticket ids created and not yet traded. */
  private readonly tickets = new Set<string>()
  private readonly used = new Set<string>()
  private ticketN = 0
  private belowLatest = 0
  private waiting = false
  trades = 0
  stopped = false

  constructor(
    readonly params: ChannelParams,
    readonly channelId: Hex,
    private readonly keys: KeyPair,
    private readonly deposits: { A: bigint; B: bigint },
    private readonly clock: () => number,
    private readonly ticket: () => { feed: string; expiry: number; strike: string },
    private readonly done: (ms: number, trade: boolean) => void,
  ) {
    this.sign = nodeSignBytes(keys.secretKey)
    const state = openingState(params, deposits.A, deposits.B, clock())
    this.latest = { state, sigA: '', sigB: '' }
    this.latestHash = stateHash(state)
    ensureEpoch(this.doc, channelId)
    // Own writes carry no origin; whatever the link or room applies does.
    this.doc.on('update', (_u: Uint8Array, origin: unknown) => {
      if (origin !== null) this.react()
    })
  }

  /**
   * Proposes the opening with the invited deposits (the desk countersigns exactly those), with this
   * client's EIP-712 open authorisation of that state (`openAuth`) beside it, as the app writes it.
   */
  open(openAuth: Hex): void {
    const state = this.latest.state
    writeAuthorization(this.doc, this.params, 'open', this.latestHash, 'A', openAuth)
    this.propose({ hash: this.latestHash, version: 0, state, transition: null, proposer: 'A' }, false)
  }

  private epoch(): Y.Map<unknown> {
    return currentEpoch(this.doc)!
  }

  private propose(p: Proposal, trade: boolean): void {
    const sig = this.sign(stateDigest(p.state))
    this.maxSigned = Math.max(this.maxSigned, p.version)
    this.pending = { hash: p.hash, state: p.state, sig, t0: performance.now(), trade }
    writeProposal(this.doc, this.epoch(), p, sig)
  }

  /** After every update from the desk: the countersignature, a refusal, or a quote to trade on. */
  private react(): void {
    if (this.waiting) return
    this.waiting = true
    queueMicrotask(() => {
      this.waiting = false
      this.step()
    })
  }

  private step(): void {
    if (this.stopped) return
    const epoch = this.epoch()
    const p = this.pending
    if (p) {
      // Signature entries are content-addressed (`${hash}:B:${signature}`, core/sync/schema.ts).
      const sigB = signaturesIn(section(epoch, 'sigs'), p.hash, 'B').find((sig) => nodeVerifyBytes(sig, stateDigest(p.state), this.params.partyB))
      if (sigB !== undefined) {
        this.done(performance.now() - p.t0, p.trade)
        if (p.trade) this.trades++
        this.latest = { state: p.state, sigA: p.sig, sigB }
        this.latestHash = p.hash
        this.pending = this.pendingQuote = null
        this.belowLatest++
      } else if (section(epoch, 'refusals').has(sigKey(p.hash, 'B'))) {
        this.pending = this.pendingQuote = null // e.g. a quote cancelled by a requote in flight: trade on another
      } else return
    }
    if (this.ticketN === 0) this.refillTickets() // once the opening is co-signed
    if (this.belowLatest >= COMPACT_AFTER) this.compact()
    const latest = this.latest.state
    if (latest.positions.length >= UNWIND_AT) {
      const t: Transition = { type: 'unwind', positionIds: latest.positions.map((x) => x.id), paymentAtoB: 0n, timestamp: Math.max(this.clock(), latest.timestamp) }
      this.proposeOn(t, false)
      return
    }
    const q = this.liveQuote()
    if (!q) return
    this.tickets.delete(q.quote.rfqId)
    this.used.add(q.signature)
    this.pendingQuote = q.signature
    this.proposeOn({ type: 'trade', quote: q, timestamp: Math.max(this.clock(), latest.timestamp) }, true)
    this.refillTickets()
  }

  private proposeOn(t: Transition, trade: boolean): void {
    const version = Math.max(this.latest.state.version, this.maxSigned) + 1
    const state = applyTransition(this.params, this.latest.state, t, version, { verify: nodeVerifyBytes })
    this.propose({ hash: stateHash(state), version, state, transition: t, proposer: 'A' }, trade)
  }

  /** A live quote of the desk on one of our open tickets, not cancelled, not used. */
  private liveQuote(): SignedQuote | null {
    const epoch = this.epoch()
    // Cancel entries are `${quoteHash}:${party}:${signature}`: any entry of the quoter's takes its quote off.
    const cancelled = new Set<string>()
    for (const k of section(epoch, 'cancels').keys()) if (k.slice(64, 67) === ':B:') cancelled.add(k.slice(0, 64))
    const now = this.clock()
    for (const [key, raw] of section(epoch, 'quotes').entries()) {
      if (cancelled.has(key) || typeof raw !== 'string') continue
      const sq = this.parsedQuote(raw)
      if (!sq) continue
      if (sq.quote.quoter !== 'B' || !this.tickets.has(sq.quote.rfqId) || this.used.has(sq.signature) || sq.quote.validUntil < now + 2_000) continue
      return sq
    }
    return null
  }

  private readonly quotes = new Map<string, SignedQuote | null>()
  private parsedQuote(raw: string): SignedQuote | null {
    let q = this.quotes.get(raw)
    if (q === undefined) {
      const r = tryParse(signedQuoteSchema, (JSON.parse(raw) as { signed: unknown }).signed, 'quote')
      q = r.ok ? r.value : null
      if (this.quotes.size > 256) this.quotes.clear()
      this.quotes.set(raw, q)
    }
    return q
  }

  private refillTickets(): void {
    if (this.stopped) return
    while (this.tickets.size < TICKETS) {
      const id = `t${this.ticketN++}`
      const { feed, expiry, strike } = this.ticket()
      writeRfq(this.doc, this.epoch(), id, 'A', this.clock(), { feed, expiry, side: 'buy', legs: [{ id: 'l1', kind: 'put', strike, cap: null, quantity: '0.01', direction: 'long' }] })
      this.tickets.add(id)
    }
  }

  /** Party A's compaction: latest as checkpoint, live quotes and open tickets carried over. */
  private compact(): void {
    const epoch = this.epoch()
    const keepQuotes = new Set<Hex>()
    const now = this.clock()
    for (const [key, raw] of section(epoch, 'quotes').entries()) {
      // As the engine's compaction: live quotes, and the one a pending proposal trades on.
      const sq = typeof raw === 'string' ? this.parsedQuote(raw) : null
      if (sq && sq.quote.validUntil >= now && (!this.used.has(sq.signature) || sq.signature === this.pendingQuote)) keepQuotes.add(key)
    }
    const keepProposals = new Set<Hex>(this.pending ? [this.pending.hash] : [])
    startNewEpoch(this.doc, { checkpoint: this.latest, keepProposals, keepQuotes, keepRfqs: new Set(this.tickets) })
    this.belowLatest = 0
  }
}

/** `pid` and its live descendants (Linux /proc); throws when `pid` itself is gone or /proc is not there. */
function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const ppid = Number(procStat(d)[1])
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(d)])
    } catch {
      // gone meanwhile
    }
  }
  procStat(pid)
  const out: number[] = []
  const todo = [pid]
  while (todo.length > 0) {
    const p = todo.pop()!
    out.push(p)
    todo.push(...(parents.get(p) ?? []))
  }
  return out
}

/** The fields of /proc/<p>/stat after the command name (state is [0], ppid [1]). */
function procStat(p: string | number): string[] {
  return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')
}

/** Sums `read` over `pid` and its live descendants (a child gone meanwhile counts 0), or NaN where /proc is not there. */
function sumOverTree(pid: number | undefined, read: (p: number) => number): number {
  try {
    let total = 0
    for (const p of processTree(pid!)) {
      try {
        total += read(p)
      } catch (e) {
        if (p === pid) throw e
      }
    }
    return total
  } catch {
    return Number.NaN
  }
}

/**
 * CPU seconds (user + system) process `pid` and its live descendants have used so far (Linux /proc),
 * or NaN elsewhere: the desk's figure includes its WebRTC child (desk/webrtcHost.ts) where it has one.
 */
function cpuSeconds(pid: number | undefined): number {
  // utime + stime in clock ticks (USER_HZ = 100)
  return sumOverTree(pid, (p) => {
    const f = procStat(p)
    return (Number(f[11]) + Number(f[12])) / 100
  })
}

/** Resident memory of `pid` and its live descendants, MiB (VmRSS), or NaN elsewhere. */
function rssMiB(pid: number | undefined): number {
  return sumOverTree(pid, (p) => {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : 0
  })
}

/**
 * Throws when the chain does not answer (twice, 15 s each: this process is busy with 100 clients,
 * and a shorter wait took a slow answer for none): a figure measured without a chain (no marks: no
 * quotes) would be wrong. anvil 1.7.1 was seen to stop answering for good under this bench (every
 * thread waiting on a lock, no CPU) in about one run of four; not with bursts of reads and
 * transactions alone (1.5.1 has only a linux-amd64 build on the registry here, so it is not an option).
 */
async function requireChain(rpcUrl: string, when: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const r = await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }), signal: AbortSignal.timeout(15_000) })
      if (r.ok) return
    } catch {
      // asked again below
    }
  }
  throw new Error(`the chain at ${rpcUrl} stopped answering ${when} (anvil deadlocked: run the bench again)`)
}

interface Run {
  /** CPU seconds the desk process used in the window. */
  deskCpu: number
  /** CPU seconds this process (the clients, the oracle service) used in the window. */
  clientCpu: number
  trades: number
  seconds: number
  confirm: number[]
  unwinds: number
  channels: number
  /** Channels that made no trade before the measuring window (not opened in time). */
  idle: number
  /** The desk's resident memory (with its children), MiB: at the window's start, its end, and the most seen in it (read every second). */
  rss: { start: number; end: number; peak: number }
  /** Each channel's latest co-signed version as its client knows it when the window ends. */
  versions: ReadonlyMap<Hex, number>
}

/**
 * `channels` clients of the desk at `deskUrl` (invites over its HTTP API), each linked by `link`;
 * trades until every client has traded, then measures `seconds`.
 */
/** Runs `channels` clients against the desk at `deskUrl`; each client's link is pushed to `links`, left open (closeLinks, then stopDesk). */
async function trade(tb: Testbed, deskUrl: string, deskPid: number | undefined, channels: number, seconds: number, links: Link[], link: (c: Client, roomSecret: Hex) => Promise<Link>): Promise<Run> {
  const cfg = tb.config
  const deskInfo = (await (await fetch(`${deskUrl}/info`)).json()) as { publicKey: Hex; evmAddress: string }
  const deskKey = deskInfo.publicKey
  const deskEvm = deskInfo.evmAddress.replace(/^0x/, '')
  const contractId = deploymentId(cfg.chainId, cfg.adjudicator)
  const oracleKey = tb.oracle.oracle.publicKey
  // The chain's clock and the oracle's mark as the desk and the app read them (latest block time).
  const reader = settlementFor(cfg, evmKeyOf(generateKeyPair().secretKey).privateKey)
  const market = new ChainMarket(reader, await reader.oracleInfo(), { symbol: cfg.asset, decimals: cfg.assetDecimals })
  await market.refresh()
  market.start(1_000)
  const clock = market.now
  const spot = market.spot('BTC-USD')
  if (spot === undefined) throw new Error('the oracle service has no BTC-USD mark')
  const expiry = nextExpiry(clock() + 3 * 3_600_000)
  let n = 0
  const ticket = () => ({ feed: 'BTC-USD', expiry, strike: String(Math.round((spot * (0.8 + 0.01 * (n++ % 15))) / 100) * 100) })
  let measuring: { from: number; to: number } | null = null
  const confirm: number[] = []
  let trades = 0
  let unwinds = 0
  const done = (ms: number, isTrade: boolean) => {
    const t = performance.now()
    if (!measuring || t < measuring.from || t > measuring.to) return
    if (isTrade) {
      trades++
      confirm.push(ms)
    } else unwinds++
  }
  const deposits = { A: 200_000n * USDC, B: 100_000n * USDC }
  // Each client's EVM account gets test funds (gas and Test USDC) and deposits its side in the
  // contract before it invites: the desk's open moves both free balances into the channel.
  const tf = Date.now()
  const keys = Array.from({ length: channels }, () => generateKeyPair())
  const settlements: ChainSettlement[] = []
  await pool(keys, 16, async (k, i) => {
    const s = settlementFor(cfg, evmKeyOf(k.secretKey).privateKey)
    await s.chain.getTestFunds(deposits.A)
    await s.chain.deposit(deposits.A)
    settlements[i] = s
  })
  log(`${channels} client accounts funded and deposited in ${((Date.now() - tf) / 1000).toFixed(1)} s`)
  // Invites go in 8 at a time (the desk checks each, funds itself when its free balance is short,
  // and starts the channel's bot); each client's link and opening once its invite is accepted.
  const ti = Date.now()
  const clients: Client[] = []
  const opens: (() => void)[] = []
  await pool(keys, 8, async (k, i) => {
    const params: ChannelParams = {
      contractId, chainId: cfg.chainId, contract: cfg.adjudicator, partyA: k.publicKey, partyB: deskKey, evmA: evmKeyOf(k.secretKey).address, evmB: deskEvm,
      nonce: bytesToHex(crypto.getRandomValues(new Uint8Array(32))), challengePeriod: 24 * 3_600_000, asset: cfg.asset, assetDecimals: cfg.assetDecimals, oracle: oracleKey,
    }
    const code = newInviteCode()
    const sealed = sealInvite({ contractId, inviter: k.publicKey, params, deposits, signaling: [] }, k.secretKey, code)
    const res = await fetch(`${deskUrl}/invite`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sealed, code }) })
    if (res.status !== 200) throw new Error(`invite ${i}: ${res.status} ${await res.text()}`)
    const c = new Client(params, channelIdOf(params), k, deposits, clock, ticket, done)
    const openAuth = await settlements[i]!.chain.authorize(c.channelId, c.latestHash, { kind: 'open', notAfter: clock() + OPEN_AUTHORIZATION_TTL_MS })
    links.push(await link(c, channelRoomSecret(k.secretKey, params, 'A')))
    opens.push(() => c.open(openAuth))
    clients.push(c)
  })
  log(`${channels} invites accepted in ${((Date.now() - ti) / 1000).toFixed(1)} s`)
  // Every channel proposes its opening only now: a channel trading while the desk still accepts
  // invites would make the invites wait behind its trades (setup time, not measured).
  for (const open of opens) open()
  const t0 = Date.now()
  let idle = 0
  let probedAt = t0
  for (;;) {
    const waitingFor = clients.filter((c) => c.trades === 0).length
    if (waitingFor === 0) break
    if (Date.now() - probedAt > 10_000) {
      probedAt = Date.now()
      await requireChain(tb.config.rpcUrl, 'while the channels open')
    }
    if (Date.now() - t0 > 180_000) {
      // Measured with the channels that trade; the rest are named in the figure's note.
      if (waitingFor === channels) throw new Error(`none of ${channels} channels made a trade in 180 s (each is opened on the contract by the desk first)`)
      idle = waitingFor
      log(`${waitingFor} of ${channels} channels made no trade in 180 s (each is opened on the contract by the desk first); measuring with the others`)
      break
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  log(`${channels - idle} channels open on the contract and trading after ${((Date.now() - t0) / 1000).toFixed(1)} s; warming up`)
  await new Promise((r) => setTimeout(r, 3_000))
  const from = performance.now()
  measuring = { from, to: from + seconds * 1000 }
  const cpu0 = cpuSeconds(deskPid)
  const clientCpu0 = process.cpuUsage()
  const rss = { start: rssMiB(deskPid), end: Number.NaN, peak: Number.NaN }
  rss.peak = rss.start
  const sampler = setInterval(() => {
    rss.peak = Math.max(rss.peak, rssMiB(deskPid))
  }, 1000)
  await new Promise((r) => setTimeout(r, seconds * 1000))
  clearInterval(sampler)
  const deskCpu = cpuSeconds(deskPid) - cpu0
  rss.end = rssMiB(deskPid)
  rss.peak = Math.max(rss.peak, rss.end)
  await requireChain(tb.config.rpcUrl, 'after the measuring window')
  const clientUsage = process.cpuUsage(clientCpu0)
  const clientCpu = (clientUsage.user + clientUsage.system) / 1e6
  for (const c of clients) c.stopped = true
  market.stop()
  confirm.sort((a, b) => a - b)
  const versions = new Map(clients.map((c) => [c.channelId, c.latest.state.version]))
  return { deskCpu, clientCpu, trades, seconds, confirm, unwinds, channels, idle, rss, versions }
}

/**
 * Closes the clients' links (before their desk stops: stopDesk after). A send on a WebRTC data channel
 * racing a close can crash @roamhq/wrtc, and this process with it (desk/README.md, "WebRTC in a child
 * process"): this process died of SIGSEGV in the WebRTC run's teardown, in the one run with the rooms
 * destroyed right after the window (a room's destroy sends this client's "left" and closes its
 * channels in the same turn) and in 2 of 12 with the desk stopped first (its channels closing while
 * the rooms here were up). So each client's presence is withdrawn first, while every room is still up, and the
 * rooms close half a second later, with nothing left to send, before the desk stops.
 */
async function closeLinks(links: readonly Link[]): Promise<void> {
  let left = false
  for (const l of links) {
    if (!l.leave) continue
    l.leave()
    left = true
  }
  if (left) await new Promise((r) => setTimeout(r, 500))
  for (const l of links) l.destroy()
}

/** Starts a desk process (`args` after node) and waits for its ready line; fd 3 is a duplex pipe. */
function startDesk(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<{ child: ChildProcess; url: string; stream: DocStream }> {
  // The desk's own Node flags (desk/runtime.ts), then any extra ones (DESK_HOST_NODE_ARGS, e.g. --cpu-prof).
  const child = spawn(process.execPath, [...DESK_NODE_ARGS, ...(process.env.DESK_HOST_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...args], { stdio: ['ignore', 'pipe', 'inherit', 'pipe'], env: { ...process.env, ...env } })
  const stream = new DocStream(child.stdio[3] as Socket)
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (b: Buffer) => {
      if (process.env.DESK_ECHO === '1') process.stderr.write(b)
      if (out.length < 100_000) out += b.toString()
      const m = /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) resolve({ child, url: m[1]!, stream })
    })
    child.once('exit', (code) => reject(new Error(`desk exited (${code}) before it was ready:\n${out}`)))
  })
}

/** A new data directory for a desk (added to `dirs`, removed when the bench ends). */
function newDataDir(dirs: string[]): string {
  const dataDir = tempDir('otc-bench-desk-')
  dirs.push(dataDir)
  return dataDir
}

/** The desk's service in a process of its own (bench/desk-host.ts) on the testbed's chain, over `dataDir`. */
function startDeskHost(tb: Testbed, dataDir: string): ReturnType<typeof startDesk> {
  return startDesk(['--import', 'tsx', fileURLToPath(new URL('./desk-host.ts', import.meta.url)), JSON.stringify({ chain: configToJson(tb.config), dataDir })])
}

/** Bytes of the files under `dir` (the desk's journal, its channel list, its identity). */
function bytesUnder(dir: string): number {
  let n = 0
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size
  return n
}

/**
 * The desk started again over the data directory of a run that just ended (its process stopped as
 * `npm start`'s does, on SIGTERM): how long until it serves again (its ready line: every channel's
 * store loaded, its session's latest derived and the contract read for it), and whether it holds
 * every channel's latest co-signed state that the run's clients hold. A channel the restarted desk
 * lists below its client's version, or not at all, is a lost state: the bench fails.
 */
async function restart(tb: Testbed, dataDir: string, r: Run, stopMs: number): Promise<{ ms: number; text: string }> {
  const bytes = bytesUnder(dataDir)
  const t0 = performance.now()
  const desk = await startDeskHost(tb, dataDir)
  const ms = performance.now() - t0
  try {
    const rss = rssMiB(desk.child.pid)
    const info = (await (await fetch(`${desk.url}/info`)).json()) as { channels: { channelId: Hex; status: string; latestVersion: number | null }[] }
    const held = new Map(info.channels.map((c) => [c.channelId, c]))
    const lost: string[] = []
    let ahead = 0
    for (const [channelId, version] of r.versions) {
      const c = held.get(channelId)
      const v = c?.latestVersion ?? null
      if (c === undefined || c.status === 'failed' || v === null || v < version) lost.push(`${channelId.slice(0, 12)}: the client holds version ${version}, the restarted desk ${c === undefined ? 'does not list the channel' : c.status === 'failed' ? 'failed to start it' : `holds ${v ?? 'no state'}`}`)
      else if (v > version) ahead++
    }
    if (lost.length > 0) throw new Error(`the restarted desk lost the latest state of ${lost.length} of ${r.versions.size} channels:\n${lost.slice(0, 10).join('\n')}`)
    const text = `${r.versions.size} channels after ${r.trades + r.unwinds} countersigned states in ${r.seconds} s, the desk stopped in ${(stopMs / 1000).toFixed(2)} s (SIGTERM to exit) leaving ${(bytes / 2 ** 20).toFixed(1)} MiB of data: ready in ${(ms / 1000).toFixed(2)} s (process start, every channel's store loaded and the contract read for it, 8 channels at a time), resident ${rss.toFixed(0)} MiB; every channel's latest co-signed state held (${ahead} one state ahead of its client: countersigned, not yet read by the client when the link closed)`
    return { ms, text }
  } finally {
    await stopDesk(desk.child)
  }
}

async function stopDesk(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}

function summary(r: Run): { rate: number; p50: number; p99: number; text: string } {
  const rate = r.trades / r.seconds
  const p50 = percentile(r.confirm, 50)
  const p99 = percentile(r.confirm, 99)
  // The desk's CPU per trade changes little with what else the machine runs; the rate does.
  const cpuMs = (1000 * r.deskCpu) / (r.trades + r.unwinds)
  const over = r.idle ? `${r.channels} channels (${r.idle} of them made no trade: not open in 180 s)` : `${r.channels} channels`
  return { rate, p50, p99, text: `${r.trades} trades in ${r.seconds} s over ${over} = ${rate.toFixed(0)}/s (+${r.unwinds} unwinds); confirm p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; desk CPU (its process and any child of it) ${cpuMs.toFixed(2)} ms per countersigned state (${(r.deskCpu / r.seconds).toFixed(2)} cores); the clients' process ${((1000 * r.clientCpu) / (r.trades + r.unwinds)).toFixed(2)} ms (${(r.clientCpu / r.seconds).toFixed(2)} cores; machine load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores); desk memory (resident, with children) ${r.rss.start.toFixed(0)} MiB at the window's start, ${r.rss.end.toFixed(0)} MiB at its end, ${r.rss.peak.toFixed(0)} MiB at most` }
}

/**
 * DESK_BENCH_DESKS=n: the same clients and load over n desk processes (n identities, each with its
 * own journal and EVM account; the channels split evenly), measured together. Not the shipped desk
 * (one process), so logged and never recorded: it tells what this machine could do for a desk that
 * used more than one core, before anyone builds one. The windows of the n runs start within a
 * second or two of each other; rates are summed, CPU and memory summed over the desk processes.
 */
async function splitRun(tb: Testbed, dirs: string[], desks: number, channels: number, seconds: number): Promise<{ text: string }> {
  const started = await Promise.all(Array.from({ length: desks }, () => startDeskHost(tb, newDataDir(dirs))))
  const links: Link[] = []
  try {
    const per = Math.floor(channels / desks)
    const runs = await Promise.all(started.map((d, i) => trade(tb, d.url, d.child.pid, i === desks - 1 ? channels - per * (desks - 1) : per, seconds, links, async (c) => d.stream.link(c.channelId, c.doc))))
    const sum = (f: (r: Run) => number) => runs.reduce((a, r) => a + f(r), 0)
    const all: Run = {
      deskCpu: sum((r) => r.deskCpu), trades: sum((r) => r.trades), unwinds: sum((r) => r.unwinds), channels: sum((r) => r.channels), idle: sum((r) => r.idle), seconds,
      // Each run reads this process's CPU over its own window: the windows overlap, so one of them is the clients' figure.
      clientCpu: Math.max(...runs.map((r) => r.clientCpu)),
      confirm: runs.flatMap((r) => r.confirm).sort((a, b) => a - b),
      rss: { start: sum((r) => r.rss.start), end: sum((r) => r.rss.end), peak: sum((r) => r.rss.peak) },
      versions: new Map(runs.flatMap((r) => [...r.versions])),
    }
    const r = summary(all)
    return { text: `over ${desks} desk processes (not recorded: the shipped desk is one process): ${r.text}` }
  } finally {
    await closeLinks(links)
    await Promise.all(started.map((d) => stopDesk(d.child)))
  }
}

export async function run(): Promise<BenchResult[]> {
  try {
    return await runOnce()
  } catch (e) {
    if (!(e instanceof Error && /stopped answering/.test(e.message))) throw e
    log(`${e.message}; once more, on a fresh chain`)
    return await runOnce()
  }
}

async function runOnce(): Promise<BenchResult[]> {
  const CHANNELS = Number(process.env.DESK_BENCH_CHANNELS ?? 100)
  const SECONDS = Number(process.env.DESK_BENCH_SECONDS ?? 12)
  // Enough channels that the clients' tickets do not bound the run: with 10, each client's 12 open
  // tickets (each quoted 0.7 s after it is written) held it at about 120 trades/s whatever the desk
  // could do (the linked run over 10 channels gave the same figure).
  const WEBRTC_CHANNELS = Number(process.env.DESK_BENCH_WEBRTC_CHANNELS ?? 30)
  const only = process.env.DESK_BENCH_ONLY
  const dirs: string[] = []
  // The chain (anvil + contracts), the oracle service in this process, no watchtower service, a
  // signaling server (used by the WebRTC run only).
  const t0 = Date.now()
  const tb = await startTestbed({ watchtower: false })
  log(`chain, contracts and oracle service up in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  const out: BenchResult[] = []
  try {
    const DESKS = Number(process.env.DESK_BENCH_DESKS ?? 1)
    if (DESKS > 1 && (!only || only === 'link')) log(`linked: ${(await splitRun(tb, dirs, DESKS, CHANNELS, SECONDS)).text}`)
    else if (!only || only === 'link') {
      const dataDir = newDataDir(dirs)
      const desk = await startDeskHost(tb, dataDir)
      log(`desk-host ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`)
      const links: Link[] = []
      let linked: Run | null = null
      let stopMs = 0
      try {
        linked = await trade(tb, desk.url, desk.child.pid, CHANNELS, SECONDS, links, async (c) => desk.stream.link(c.channelId, c.doc))
        const r = summary(linked)
        log(`linked: ${r.text}`)
        out.push(
          { name: 'desk.trades_per_s', value: r.rate, unit: 'trades/s', higherIsBetter: true, note: `the desk's own service code (desk/service.ts) in its own process, every channel's records and doc updates in the desk's one FileJournal (group commit, fsync per batch), settling on a local anvil (adjudicator opened per channel by the desk; oracle service, no watchtower), ${CHANNELS} channels whose light clients in another process trade on its quotes (RFQ ticket -> desk quote -> trade proposal -> desk countersignature; all positions unwound at ${UNWIND_AT}), docs linked by Yjs updates over a pipe; ${r.text}; goal >= 1000` },
          { name: 'desk.confirm_p99_ms', value: r.p99, unit: 'ms', higherIsBetter: false, note: `trade proposal written -> the desk's countersignature read by the client, at the load of desk.trades_per_s; p50 ${r.p50.toFixed(1)} ms` },
          { name: 'desk.rss_mib', value: Math.round(linked.rss.peak), unit: 'MiB', higherIsBetter: false, note: `the desk process's resident memory, the most read (every second) in the measuring window at the load of desk.trades_per_s, ${CHANNELS} channels; ${linked.rss.start.toFixed(0)} MiB at the window's start, ${linked.rss.end.toFixed(0)} MiB at its end (mostly the heap V8 keeps reserved: DESK_HEAP_EVERY prints the live heap, desk/README.md)` },
        )
      } finally {
        await closeLinks(links)
        const t = performance.now()
        await stopDesk(desk.child)
        stopMs = performance.now() - t
      }
      const again = await restart(tb, dataDir, linked, stopMs)
      log(`restart: ${again.text}`)
      out.push({ name: 'desk.restart_ms', value: Math.round(again.ms), unit: 'ms', higherIsBetter: false, note: `bench/desk-host.ts (the desk's service) started again over the data directory of the desk.trades_per_s run after it stopped: ${again.text}` })
    }
    if (!only || only === 'webrtc') {
      const dataDir = tempDir('otc-bench-desk-rtc-')
      dirs.push(dataDir)
      const signalingUrl = tb.signalingUrl
      // Exactly what `npm start` runs: the chain from OTC_* variables.
      const desk = await startDesk(['--import', 'tsx', 'desk/main.ts', '--signaling', signalingUrl, '--port', '0', '--data', dataDir, ...BENCH_QUOTAS], tb.deskEnv)
      const wrtc = await loadNodeWebrtc()
      const links: Link[] = []
      try {
        const r = summary(await trade(tb, desk.url, desk.child.pid, WEBRTC_CHANNELS, SECONDS, links, async (c, roomSecret) => {
          // No BroadcastChannel, as in the desk's WebRTC child: a Node process has no other tabs, and
          // y-webrtc encrypts every update it posts there (a quarter of the clients' CPU in a profile).
          const room = ChannelRoom.open(c.doc, deriveRoomKeys(roomSecretBytes({ roomSecret }), c.channelId), { signaling: [signalingUrl], iceServers: [], wrtc, pollMs: 50, broadcastChannel: false })
          return { destroy: () => room.destroy(), leave: () => room.awareness?.setLocalState(null) }
        }))
        log(`webrtc: ${r.text}`)
        out.push(
          { name: 'desk.webrtc_trades_per_s', value: r.rate, unit: 'trades/s', higherIsBetter: true, note: `desk/main.ts (npm start's command, chain from OTC_*) over real WebRTC (@roamhq/wrtc, loopback), ${WEBRTC_CHANNELS} channels, same clients; ${r.text}` },
          { name: 'desk.webrtc_confirm_p99_ms', value: r.p99, unit: 'ms', higherIsBetter: false, note: `at the load of desk.webrtc_trades_per_s; p50 ${r.p50.toFixed(1)} ms` },
        )
      } finally {
        await closeLinks(links)
        await stopDesk(desk.child)
      }
    }
  } finally {
    await tb.stop()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
  return out
}
