// The watchtower as a service on the chain. Parties (the app, the desk) POST their newest
// fully-signed state per channel; it keeps it only after checking, cheapest first: the request
// (method, size, rate, JSON shape), the deployment the params name, both ed25519 signatures, and
// that the channel exists on chain. It follows the adjudicator's events by polling (resuming from
// the last processed block after a restart) and, when a channel it holds is disputed (or refuted)
// with a lower version than it holds, sends `refute` from its own EVM account (the refute account),
// paying its own gas. When a channel it holds is finalized with positions still locked on the
// contract, it pays them out (payouts.ts) from a SECOND account, the payout account, with its own
// key, gas and ChainClient: settled at the oracle's price once expired, refunded once the settlement
// window ended unsettled, never twice. Apart because a refute is time-critical (missed, a customer
// loses funds) and payouts are not: on one account a payout stuck unmined (a fee spike) would hold
// the refute's nonce, a refute's send would queue behind payout sends (ChainClient sends one at a
// time per account), and payouts (which a party on both sides of a channel can make it send) could
// spend the gas the next refute needs. This file gives the payouts the held states, their files,
// the payout account's chain client and the events it sees.
// A party that lost its storage gets the held state back (a request signed by one of the channel's
// two keys, for this watchtower, within 5 minutes of its clock, answered once).
//   POST /watchtower/states             {params, state} -> {channelId, version, stored}
//   POST /watchtower/channels/:id/state {watchtower, timestamp, key, signature} (core/watchtower-read.ts)
//                                       -> {channelId, version, params, state, ended}
//   GET  /watchtower                    {address (the refute account), payoutAddress, gas: {refute, payout} (wei, decimal; null
//                                        when the chain does not answer), channels, maxChannels, cursor, setAside (files in channels/unreadable/),
//                                        settlesAtOraclePrice, positions: what it did or waits for per locked position (newest
//                                        first, at most 100), positionsOmitted}
//   GET  /watchtower/channels/:id       {channelId, version, positions? (an ended channel's)}
//   GET  /info, /health
// A channel that ends on chain is kept for reading, not dropped at once: finalized (positions may
// still be locked: the trader needs their terms to settle or refund them) until it closes, or 90
// days after the refund of its last locked position opened (readableUntil); closed, 7 days more.
// Then its file is removed.
// Storage under <data>: channels/<channelId>.json (one small file per channel, written with
// write + fsync + rename; one whose bytes do not parse at start is moved to channels/unreadable/,
// never written over; one it cannot read from disk, or with a field it does not know, stops the
// start; `sent`, optional: the settles and refunds it sent, written the moment each is sent, so a
// restart looks the transaction up instead of sending it again), cursor.json (last processed block
// and its hash), key.json (the refute account's EVM key, mode 0600; OTC_WATCHTOWER_KEY instead),
// payout-key.json (the payout account's, mode 0600; OTC_WATCHTOWER_PAYOUT_KEY instead),
// watchtower.lock (the running watchtower's process id: a second one on the same directory is
// refused at start, one left by a process that no longer runs is taken over: lockDataDir).
//   node --import tsx channel-contract/services/watchtower.ts [--port 8702] [--data .data/watchtower] [--allow-origin O]...
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createPublicClient, createWalletClient, http, type Chain, type Hex as ViemHex, type PublicClient, type Transport } from 'viem'
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import {
  channelIdOf,
  countOf,
  deploymentId,
  isHex,
  isProtocolError,
  ParseError,
  parseChannelParams,
  parseSignedState,
  stateBelongsTo,
  stateDigest,
  toWire,
  watchtowerReadDigest,
  WATCHTOWER_READ_WINDOW_MS,
  type ChannelParams,
  type Hex,
  type SignedState,
} from '../../core/index.ts'
import { nodeVerifyBytes } from '../../core/ed25519-node.ts'
import { adjudicatorAbi } from '../client/abi.ts'
import { ChainClient, type ChannelOnChain } from '../client/chain.ts'
import { ChainSettlement, evmChain } from '../client/settlement.ts'
import { toChainAddress } from '../chain/adjudicator.ts'
import { ChainConfigError, checkDevChain, deploymentOf, type ChainConfig } from '../chain/config.ts'
import { writeFileDurably } from '../chain/deployment.ts'
import { devSetGas } from '../chain/devnet.ts'
import { loadChainConfig } from './config.ts'
import { CHAIN_WAIT_HELP, exitOnSignals, runIfMain, serviceCli, waitForChainAtStart } from './cli.ts'
import { settlementEnd } from '../model/adjudicator.ts'
import { lockedPositionPayouts, type HeldChannel, type LockedPositionReport, type PayoutActivity, type SentPayout } from './payouts.ts'
import { applyCors, isLoopbackAddress, MAX_URL_LENGTH, RateLimiter, rateCheck, clientKey, readJsonBody, sendError, sendJson, ServiceError, type RateLimit } from './http.ts'

export const DEFAULT_WATCHTOWER_PORT = 8702
const ETH = 10n ** 18n

export interface WatchtowerServiceOptions {
  readonly config: ChainConfig
  readonly dataDir: string
  /** Its refute account; default the key in <data>/key.json, created on first start. */
  readonly account?: PrivateKeyAccount
  /** Its payout account (settles and refunds of locked positions), never the refute account; default the key in <data>/payout-key.json, created on first start. */
  readonly payoutAccount?: PrivateKeyAccount
  readonly host?: string
  readonly port?: number
  /** Milliseconds between event polls. Default 1000. */
  readonly pollMs?: number
  /** Most blocks per eth_getLogs request (public RPCs cap the range). Default 2000. */
  readonly maxBlockRange?: bigint
  /** Channels held at most (across all clients). Default 10,000. */
  readonly maxChannels?: number
  /**
   * Channels one client (remote address) may have added since this process started that are still
   * watched (a channel that ends on chain, or is dropped, gives its place back; the counts start
   * empty at each start). Not applied to a loopback address: the service
   * listens on 127.0.0.1, so every local client (the app, the desk) comes from one. Default 1,000.
   */
  readonly maxChannelsPerClient?: number
  /** Default 256 KiB (a state with 32 positions of 8 legs is ~60 KiB of JSON). */
  readonly maxBodyBytes?: number
  /** Per client (remote address; on loopback the app and the desk share one). Default 100/s, burst 200. */
  readonly rateLimit?: RateLimit
  readonly allowedOrigins?: readonly string[]
  /** How long a channel finalized on chain stays readable, while it does not close, after the refund of its last locked position opened (ms; readableUntil). Default 90 days. */
  readonly keepFinalizedMs?: number
  /** How long a channel closed on chain stays readable (ms). Default 7 days. */
  readonly keepClosedMs?: number
  /**
   * Locked positions after a finalize: how long to wait before asking again after the first failure
   * or wait (the oracle has no price yet or does not answer, the chain refused or did not answer);
   * it doubles with each one in a row, up to `maxRetryMs` (ms). Defaults 15 s and 15 minutes.
   */
  readonly retryMs?: number
  readonly maxRetryMs?: number
  /** Wall clock (ms) for read requests' timestamps, the retention above and the spacing of retries. Default Date.now. */
  readonly now?: () => number
  readonly log?: (message: string) => void
}

const DAY_MS = 86_400_000
/** GET /watchtower lists this many locked positions at most (the newest changes). */
const MAX_REPORTED_POSITIONS = 100
/** Read requests answered, remembered until their window passes (a request is answered once). */
const MAX_REMEMBERED_READS = 100_000

export type { LockedPositionReport, LockedPositionStatus, SentPayout } from './payouts.ts'

export type WatchtowerActivity =
  | { readonly type: 'refuted'; readonly channelId: Hex; readonly version: number; readonly over: number; readonly tx: ViemHex }
  | { readonly type: 'refute-failed'; readonly channelId: Hex; readonly version: number; readonly reason: string }
  | { readonly type: 'ended'; readonly channelId: Hex; readonly status: 'finalized' | 'closed' }
  | { readonly type: 'dropped'; readonly channelId: Hex; readonly reason: string }
  | PayoutActivity

/** When the watchtower saw the channel end on chain (wall clock, ms): it stays readable for a while. */
export interface Ended {
  readonly status: 'finalized' | 'closed'
  readonly at: number
}

/** A held channel: its file's contents (`sent`: what payouts.ts sent for its locked positions). */
interface Held extends HeldChannel {
  readonly ended?: Ended
}

/**
 * Until when (wall clock, ms) an ended channel stays readable. Closed: `keep.closed` after the
 * watchtower saw it close. Finalized: the contract still holds locked positions (the last payout
 * closes the channel), and a trader who lost its data needs their terms to settle or refund them;
 * so it is kept `keep.finalized` after the refund of the last of them opened (settlementEnd, with
 * the dispute's deadline taken as when the watchtower saw the finalize: no earlier than the real
 * one), and never less than `keep.finalized` after the finalize. A fixed time from the finalize
 * would drop a long-dated option's terms before it could even be settled.
 */
export function readableUntil(state: SignedState, ended: Ended, keep: { readonly finalized: number; readonly closed: number }): number {
  if (ended.status === 'closed') return ended.at + keep.closed
  const lastRefundOpens = state.state.positions.reduce((t, p) => Math.max(t, settlementEnd(p.terms.expiry, ended.at)), ended.at)
  return lastRefundOpens + keep.finalized
}

function parseEnded(v: unknown): Ended | undefined {
  if (v === undefined || v === null) return undefined
  const e = v as Record<string, unknown>
  const extra = typeof e === 'object' && !Array.isArray(e) ? Object.keys(e).find((k) => k !== 'status' && k !== 'at') : undefined
  if (extra !== undefined) throw new ParseError(`ended.${extra}`, 'unknown field')
  if ((e.status !== 'finalized' && e.status !== 'closed') || !Number.isSafeInteger(e.at)) throw new Error('ended must be {status: finalized|closed, at: ms}')
  return { status: e.status, at: e.at as number }
}

export interface WatchtowerService {
  readonly url: string
  readonly port: number
  /** The refute account (refutes only). */
  readonly address: ViemHex
  /** The payout account (settles and refunds of locked positions). */
  readonly payoutAddress: ViemHex
  /** Last block whose events were processed. */
  cursor(): bigint
  held(channelId: Hex): SignedState | undefined
  channelCount(): number
  /** What it did or waits for per locked position of the finalized channels it holds, newest change first (as GET /watchtower, uncut). */
  positions(): readonly LockedPositionReport[]
  onActivity(listener: (a: WatchtowerActivity) => void): () => void
  /** Runs one poll that starts after this call (tests); resolves when it is done, with the payouts of locked positions it started. */
  pollOnce(): Promise<void>
  close(): Promise<void>
}

/**
 * The channels each client (remote address) added that the watchtower still watches, against a
 * limit per client. A loopback address is not counted (isLoopbackAddress): counted, it would be one
 * limit for the app, the desk and every local program, which one of them could use up. A channel
 * that ends on chain or is dropped gives its client's place back.
 */
export class ClientChannelQuota {
  private readonly perClient = new Map<string, number>()
  private readonly addedBy = new Map<Hex, string>()
  constructor(readonly max: number) {}

  /** Why `client` may add no channel now, or null when it may. */
  refusal(client: string): string | null {
    if (isLoopbackAddress(client)) return null
    const n = this.perClient.get(client) ?? 0
    return n >= this.max ? `this client (${client}) has added ${n} channels that are still watched, its maximum of ${this.max}; one that ends on chain gives its place back` : null
  }

  /** `client` added channel `id`. */
  added(id: Hex, client: string): void {
    if (isLoopbackAddress(client) || this.addedBy.has(id)) return
    this.addedBy.set(id, client)
    this.perClient.set(client, (this.perClient.get(client) ?? 0) + 1)
  }

  /** Channel `id` is no longer watched (ended on chain, or dropped): its client's place is free. */
  released(id: Hex): void {
    const client = this.addedBy.get(id)
    if (client === undefined) return
    this.addedBy.delete(id)
    const n = (this.perClient.get(client) ?? 1) - 1
    if (n > 0) this.perClient.set(client, n)
    else this.perClient.delete(client)
  }

  /** Channels `client` added that are still watched. */
  count(client: string): number {
    return this.perClient.get(client) ?? 0
  }
}

// ---- storage ----

/** Whether a process with this id runs (one of another user's counts). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * One watchtower per data directory: two would load the same channel files and keys and send the
 * same refutes and payouts from the same accounts (nonces taken from each other, payouts sent twice).
 * `watchtower.lock` holds the running one's process id, made with O_EXCL; one left by a process that
 * no longer runs (killed, crashed) is taken over. Returns the release (the file removed if still ours).
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'watchtower.lock')
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true })
        } catch {
          // Gone already: nothing to release.
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    let holder: string
    try {
      holder = readFileSync(file, 'utf8').trim()
    } catch {
      continue // removed meanwhile: try again
    }
    const pid = Number(holder)
    if (/^\d{1,10}$/.test(holder) && pid !== process.pid && processRuns(pid)) {
      throw new Error(`another watchtower (process ${pid}) runs on ${dataDir}: two would send the same refutes and payouts from the same accounts. Stop it first, or remove ${file} if no watchtower runs there`)
    }
    rmSync(file, { force: true }) // left by a watchtower that did not close (or by this process)
  }
  throw new Error(`could not take ${file}: it keeps coming back (another watchtower starting on ${dataDir}?)`)
}

/** The two accounts' key files, and the variable that sets each instead (the CLI's). */
const KEY_FILES = {
  refute: { name: 'key.json', env: 'OTC_WATCHTOWER_KEY', what: "the watchtower's EVM key" },
  payout: { name: 'payout-key.json', env: 'OTC_WATCHTOWER_PAYOUT_KEY', what: "the watchtower's payout EVM key" },
} as const

function loadOrCreateKey(dataDir: string, which: keyof typeof KEY_FILES): PrivateKeyAccount {
  const k = KEY_FILES[which]
  const file = join(dataDir, k.name)
  if (existsSync(file)) {
    // An EVM key (the account that pays for refutes, or for payouts): a file it cannot read is never written over.
    const what = `${file} holds ${k.what}; it does not start and leaves the file as it is: restore the file from a backup, or move it away to start with a new key (off the dev chain, fund the new address), or set ${k.env}`
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (e) {
      throw new Error(`${file} could not be read (${(e as Error).message}). ${what}`, { cause: e })
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (e) {
      throw new Error(`${file} is not JSON (${(e as Error).message}). ${what}`, { cause: e })
    }
    const privateKey = typeof parsed === 'object' && parsed !== null ? (parsed as { privateKey?: unknown }).privateKey : undefined
    if (typeof privateKey !== 'string' || !/^0x[0-9a-f]{64}$/.test(privateKey)) throw new Error(`${file}: expected {"privateKey": "0x" + 64 lowercase hex characters}. ${what}`)
    return privateKeyToAccount(privateKey as ViemHex)
  }
  const privateKey = generatePrivateKey()
  writeFileDurably(file, `${JSON.stringify({ privateKey })}\n`, 0o600)
  return privateKeyToAccount(privateKey)
}

const SENT_FIELDS = ['how', 'tx', 'price', 'at', 'mined']

/** The `sent` field of a held file: {positionId: {how, tx, price? (settle, decimal string), at, mined?}}. */
function parseSent(v: unknown): Record<Hex, SentPayout> | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error('sent must be an object {positionId: {how, tx, price?, at, mined?}}')
  const out: Record<Hex, SentPayout> = {}
  for (const [pid, raw] of Object.entries(v)) {
    if (!/^[0-9a-f]{64}$/.test(pid)) throw new Error(`sent: ${JSON.stringify(pid.slice(0, 70))} is not a position id`)
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`sent.${pid}: expected an object {how, tx, price?, at, mined?}`)
    const extra = Object.keys(raw).find((k) => !SENT_FIELDS.includes(k))
    if (extra !== undefined) throw new ParseError(`sent.${pid}.${extra}`, 'unknown field')
    const r = raw as Record<string, unknown>
    if (r.how !== 'settle' && r.how !== 'refund') throw new Error(`sent.${pid}.how must be settle or refund`)
    if (typeof r.tx !== 'string' || !/^0x[0-9a-f]{64}$/.test(r.tx)) throw new Error(`sent.${pid}.tx must be 0x + 64 lowercase hex characters`)
    if (!Number.isSafeInteger(r.at)) throw new Error(`sent.${pid}.at must be an integer (ms)`)
    if (r.mined !== undefined && r.mined !== true) throw new Error(`sent.${pid}.mined must be true or absent`)
    const settle = r.how === 'settle'
    if (settle ? typeof r.price !== 'string' || !/^(0|[1-9][0-9]{0,77})$/.test(r.price) : r.price !== undefined) {
      throw new Error(`sent.${pid}.price must be ${settle ? 'the attested price as a decimal string' : 'absent for a refund'}`)
    }
    out[pid] = { how: r.how, tx: r.tx as ViemHex, ...(settle ? { price: BigInt(r.price as string) } : {}), at: r.at as number, ...(r.mined ? { mined: true as const } : {}) }
  }
  return out
}

/** A held file's contents: params, state, when the channel ended on chain and what was sent for its locked positions, every field known. */
function parseHeld(text: string, name: string): { id: Hex; held: Held } {
  const wire = JSON.parse(text) as unknown
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) throw new Error('expected an object {params, state, ended?, sent?}')
  const extra = Object.keys(wire).find((k) => k !== 'params' && k !== 'state' && k !== 'ended' && k !== 'sent')
  if (extra !== undefined) throw new ParseError(extra, 'unknown field')
  const w = wire as { params?: unknown; state?: unknown; ended?: unknown; sent?: unknown }
  const params = parseChannelParams(w.params)
  const state = parseSignedState(w.state, 'state')
  const ended = parseEnded(w.ended)
  const sent = parseSent(w.sent)
  const id = channelIdOf(params)
  if (`${id}.json` !== name || !stateBelongsTo(params, state.state, id)) throw new Error('names another channel')
  return { id, held: { params, state, ...(ended ? { ended } : {}), ...(sent ? { sent } : {}) } }
}

/**
 * The channels held on disk. A file whose bytes were read but do not parse (not JSON, not the
 * schema, or naming another channel) is damaged: it is moved aside into <dir>/unreadable/ with its
 * bytes unchanged before the watchtower serves; left in place, the channel would look new and the
 * next post for it (maybe an older state) would be written over the only copy. If it cannot be
 * moved, the watchtower does not start. Nor does it start when a file cannot be read from disk
 * (permissions, I/O error, too many open files: the file is fine, the machine is not) or holds a
 * field this version does not know (written by a newer watchtower): moving either aside would
 * take a good channel out of the watch until someone posts to it again.
 */
function loadHeld(dir: string, at: number, log: (m: string) => void): { held: Map<Hex, Held>; moved: number } {
  const held = new Map<Hex, Held>()
  let moved = 0
  if (!existsSync(dir)) return { held, moved }
  for (const name of readdirSync(dir)) {
    if (!/^[0-9a-f]{64}\.json$/.test(name)) continue
    const file = join(dir, name)
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (e) {
      const err = e as NodeJS.ErrnoException
      const what = err.code && !err.message.startsWith(err.code) ? `${err.code}: ${err.message}` : err.message
      throw new Error(`${file} could not be read from disk (${what}); the watchtower does not start rather than leave channel ${name.slice(0, 64)} unwatched: fix the file's permissions, the disk or the process's limits, and start it again (the file is left as it is)`, { cause: e })
    }
    try {
      const h = parseHeld(text, name)
      held.set(h.id, h.held)
    } catch (e) {
      if (e instanceof ParseError && e.reason.startsWith('unknown field')) {
        throw new Error(`${file}: ${e.message}: it was likely written by a newer version of the watchtower; this one does not start rather than drop the channel from its watch or write the file over without that field: run the newer version, or move the file away by hand (it is left as it is)`, { cause: e })
      }
      const reason = String((e as Error).message ?? e).split('\n')[0] ?? ''
      const to = setAsideFile(dir, name, at, reason)
      moved++
      log(`watchtower: could not parse ${file} (${reason}); moved it, bytes unchanged, to ${to}. Channel ${name.slice(0, 64)} is not held: a state posted for it is taken as for a new channel (even an older one) and never written over the moved file; inspect it and, if it holds a newer co-signed state, post that state`)
    }
  }
  return { held, moved }
}

/** The files in <dir>/unreadable/ (set aside by this start or earlier ones), by the channel id their names begin with. */
function listSetAside(dir: string): Map<Hex, string[]> {
  const aside = join(dir, 'unreadable')
  const byId = new Map<Hex, string[]>()
  if (!existsSync(aside)) return byId
  for (const name of readdirSync(aside).sort()) {
    const id = /^([0-9a-f]{64})\./.exec(name)?.[1]
    if (id === undefined) continue
    byId.set(id, [...(byId.get(id) ?? []), join(aside, name)])
  }
  return byId
}

/** Renames <dir>/<name> to <dir>/unreadable/<id>.<at>[-n].json (never over another file) and makes the rename durable. */
function setAsideFile(dir: string, name: string, at: number, reason: string): string {
  const aside = join(dir, 'unreadable')
  const base = `${name.slice(0, -'.json'.length)}.${Math.trunc(at)}`
  try {
    mkdirSync(aside, { recursive: true })
    let to = join(aside, `${base}.json`)
    for (let n = 1; existsSync(to); n++) to = join(aside, `${base}-${n}.json`)
    renameSync(join(dir, name), to)
    for (const d of [aside, dir]) fsyncDir(d)
    return to
  } catch (e) {
    throw new Error(`${join(dir, name)} could not be read (${reason}) nor moved aside into ${aside} (${(e as Error).message}); the watchtower does not start rather than risk writing over it: move it away by hand`, { cause: e })
  }
}

function fsyncDir(d: string): void {
  try {
    const fd = openSync(d, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  }
}

interface Cursor {
  /** Last processed block, and its hash: a chain that was reset (or reorganised) under it is noticed. */
  readonly block: bigint
  readonly hash: ViemHex | null
  readonly chainId: number
  readonly adjudicator: string
}

function readCursor(file: string, log: (m: string) => void): Cursor | null {
  if (!existsSync(file)) return null
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    if (typeof c.block !== 'string' || !/^(0|[1-9][0-9]*)$/.test(c.block)) throw new Error('block must be a decimal string')
    if (c.hash !== null && (typeof c.hash !== 'string' || !/^0x[0-9a-f]{64}$/.test(c.hash))) throw new Error('hash must be 0x + 64 hex characters or null')
    if (typeof c.chainId !== 'number' || typeof c.adjudicator !== 'string') throw new Error('chainId and adjudicator are required')
    return { block: BigInt(c.block), hash: c.hash as ViemHex | null, chainId: c.chainId, adjudicator: c.adjudicator }
  } catch (e) {
    log(`watchtower: ignoring ${file} (${(e as Error).message}); scanning from the deployment block`)
    return null
  }
}

// ---- the service ----

const HEX32 = /^[0-9a-f]{64}$/
const EVENTS = adjudicatorAbi.filter(
  (x): x is Extract<(typeof adjudicatorAbi)[number], { type: 'event' }> =>
    // PositionSettled/PositionRefunded: the last payout after a finalize closes the channel (no ChannelClosed then).
    x.type === 'event' && ['DisputeStarted', 'DisputeRefuted', 'ChannelClosed', 'ChannelFinalized', 'PositionSettled', 'PositionRefunded'].includes(x.name),
)

export async function startWatchtowerService(opts: WatchtowerServiceOptions): Promise<WatchtowerService> {
  const host = opts.host ?? '127.0.0.1'
  // node listens on every interface for an empty host: never by accident (checked before anything is made).
  if (host.trim() === '') throw new Error('host: empty; give the address to listen on (default 127.0.0.1)')
  const cfg = opts.config
  const log = opts.log ?? (() => {})
  const channelsDir = join(opts.dataDir, 'channels')
  const cursorFile = join(opts.dataDir, 'cursor.json')
  mkdirSync(channelsDir, { recursive: true })
  const unlock = lockDataDir(opts.dataDir)
  const account = opts.account ?? loadOrCreateKey(opts.dataDir, 'refute')
  const payoutAccount = opts.payoutAccount ?? loadOrCreateKey(opts.dataDir, 'payout')
  // One account for both would bring back what the second one is for: a payout holding a refute's nonce or spending its gas.
  if (payoutAccount.address.toLowerCase() === account.address.toLowerCase()) {
    throw new Error(`the payout account is the refute account (${account.address}): give the payouts a key of their own (${join(opts.dataDir, KEY_FILES.payout.name)} or ${KEY_FILES.payout.env}), so that a payout can never delay a refute or spend its gas`)
  }
  const maxChannels = opts.maxChannels ?? 10_000
  const maxPerClient = opts.maxChannelsPerClient ?? 1_000
  const maxBody = opts.maxBodyBytes ?? 256 * 1024
  const maxRange = opts.maxBlockRange ?? 2000n
  const pollMs = opts.pollMs ?? 1000
  const limiter = new RateLimiter(opts.rateLimit ?? { perSecond: 100, burst: 200 })
  const allowed = new Set(opts.allowedOrigins ?? [])
  const contractId = deploymentId(cfg.chainId, cfg.adjudicator)
  const now = opts.now ?? Date.now
  const keepFinalized = opts.keepFinalizedMs ?? 90 * DAY_MS
  const keepClosed = opts.keepClosedMs ?? 7 * DAY_MS
  const ownAddress = account.address.slice(2).toLowerCase()
  /**
   * Signatures of read requests answered -> until when a replay could still pass the window check
   * (answer time + twice the window, which is past the request's timestamp + the window): each is
   * answered once. Insertion order is answer order, so the times only grow along the map.
   */
  const answered = new Map<string, number>()

  const chain = evmChain(cfg)
  const transport = http(cfg.rpcUrl, { timeout: 15_000, retryCount: 1 })
  const publicClient = createPublicClient({ chain, transport }) as PublicClient<Transport, Chain>
  const wallet = createWalletClient({ chain, transport, account })
  const client = new ChainClient(deploymentOf(cfg), publicClient, wallet)
  // Its own ChainClient: each sends one transaction at a time, so a payout never queues a refute.
  const payoutClient = new ChainClient(deploymentOf(cfg), publicClient, createWalletClient({ chain, transport, account: payoutAccount }))

  const { held, moved } = loadHeld(channelsDir, now(), log)
  /** Set-aside files by channel, read from channels/unreadable/ after the files moved by this start were added. */
  const setAside = listSetAside(channelsDir)
  const setAsideCount = () => [...setAside.values()].reduce((n, files) => n + files.length, 0)
  const quota = new ClientChannelQuota(maxPerClient)
  const startBlock = cfg.deploymentBlock > 0n ? cfg.deploymentBlock - 1n : -1n
  const saved = readCursor(cursorFile, log)
  const sameDeployment = saved !== null && saved.chainId === cfg.chainId && saved.adjudicator === cfg.adjudicator
  if (saved && !sameDeployment) log(`watchtower: the saved cursor is for chain ${saved.chainId} / ${saved.adjudicator}; scanning this deployment from its first block`)
  let cursor = sameDeployment ? saved.block : startBlock
  let cursorHash: ViemHex | null = sameDeployment ? saved.hash : null
  const listeners = new Set<(a: WatchtowerActivity) => void>()
  const emit = (a: WatchtowerActivity) => {
    for (const l of listeners) l(a)
  }
  const asideNote = setAside.size === 0 ? '' : ` (${moved > 0 ? `${countOf(moved, 'unparsable file')} moved aside now, see above; ` : ''}${countOf(setAsideCount(), 'file')} in ${join(channelsDir, 'unreadable')})`
  log(`watchtower: refute account ${account.address}, payout account ${payoutAccount.address}, ${countOf(held.size, 'channel')} held${asideNote}, events from block ${cursor + 1n}`)

  const channelFile = (id: Hex) => join(channelsDir, `${id}.json`)
  const store = (id: Hex, h: Held) => {
    writeFileDurably(channelFile(id), JSON.stringify(toWire({ params: h.params, state: h.state, ...(h.ended ? { ended: h.ended } : {}), ...(h.sent ? { sent: h.sent } : {}) })))
    held.set(id, h)
  }
  /** The channel ended on chain: nothing left to refute, but its state stays readable (see keepFinalized/keepClosed). */
  const markEnded = (id: Hex, status: Ended['status']) => {
    const h = held.get(id)
    if (!h || h.ended?.status === status) return
    store(id, { ...h, ended: { status, at: now() } })
    quota.released(id) // nothing left to watch: its client's place is free
    const until = readableUntil(h.state, { status, at: now() }, { finalized: keepFinalized, closed: keepClosed })
    // A co-signed expiry may lie past what a Date can show (core allows up to 2^53 - 1 ms).
    const when = until < 8.64e15 ? new Date(until).toISOString() : 'a time too far to show'
    const locked = status === 'finalized' ? h.state.state.positions.length : 0
    const payouts = locked === 0 ? '' : `; ${countOf(locked, 'position')} of the held state may be locked: ${cfg.oracleUrl === null ? 'each is refunded once its settlement window ends (no oracle configured)' : "each is settled at the oracle's price once it expires, or refunded if its settlement window ends unsettled"}`
    log(`watchtower: channel ${id.slice(0, 12)} is ${status} on chain; its state stays readable until ${when}${status === 'finalized' ? ' or 7 days after it closes' : ''}${payouts}`)
    emit({ type: 'ended', channelId: id, status })
  }
  /** Ended channels past their retention are removed. */
  const purgeEnded = () => {
    const t = now()
    for (const [id, h] of held) {
      if (!h.ended) continue
      if (t < readableUntil(h.state, h.ended, { finalized: keepFinalized, closed: keepClosed })) continue
      drop(id, h.ended.status === 'closed'
        ? `closed on chain more than ${(keepClosed / DAY_MS).toFixed(0)} days ago`
        : `finalized on chain, and the refund of its last locked position opened more than ${(keepFinalized / DAY_MS).toFixed(0)} days ago`)
    }
  }
  const drop = (id: Hex, reason: string) => {
    if (!held.delete(id)) return
    payouts.forget(id)
    quota.released(id)
    rmSync(channelFile(id), { force: true })
    emit({ type: 'dropped', channelId: id, reason })
  }

  // ---- refuting ----

  const inflight = new Map<Hex, Promise<void>>()
  /** Channels whose refute failed for a reason that may pass (network, gas): tried again each poll. */
  const retry = new Set<Hex>()

  /** Gas for one of its two accounts: on the dev chain topped up to 10 ETH below 0.1; elsewhere none at all is an error naming the account to fund. */
  async function ensureGasOf(address: ViemHex, role: 'refute' | 'payout'): Promise<void> {
    const balance = await publicClient.getBalance({ address })
    if (balance >= ETH / 10n) return
    const dev = await checkDevChain(cfg)
    if (dev.dev) {
      await devSetGas(cfg, address, 10n * ETH)
      log(`watchtower: gas for its ${role} account ${address} set to 10 ETH (dev chain)`)
    } else if (balance === 0n) {
      throw new Error(`the watchtower's ${role} account ${address} has no gas on chain ${cfg.chainId}: fund it`)
    }
  }
  const ensureGas = () => ensureGasOf(account.address, 'refute')
  const ensurePayoutGas = () => ensureGasOf(payoutAccount.address, 'payout')
  /** Each account's gas (wei, decimal), null when the chain does not answer. */
  const gasOf = (address: ViemHex) => publicClient.getBalance({ address }).then((b) => b.toString(), () => null)

  function check(id: Hex): Promise<void> {
    const running = inflight.get(id)
    if (running) return running
    const p = refuteIfStale(id).finally(() => inflight.delete(id))
    inflight.set(id, p)
    return p
  }

  async function refuteIfStale(id: Hex): Promise<void> {
    const h = held.get(id)
    if (!h) return
    let on: ChannelOnChain
    try {
      on = await client.channel(id)
    } catch (e) {
      retry.add(id)
      log(`watchtower: reading channel ${id.slice(0, 12)} failed: ${(e as Error).message}`)
      return
    }
    if (on.status === 'closed' || on.status === 'finalized') {
      retry.delete(id)
      return markEnded(id, on.status)
    }
    if (on.status === 'none') {
      retry.delete(id)
      return drop(id, 'the channel is not on chain (the chain was reset?)')
    }
    const version = h.state.state.version
    if (on.status !== 'disputed' || on.version >= version) {
      retry.delete(id)
      return
    }
    const head = await client.head().catch(() => null)
    if (head && head.time >= on.deadline) {
      retry.delete(id)
      log(`watchtower: dispute of ${id.slice(0, 12)} at version ${on.version} is past its deadline (${on.deadline}); too late to refute`)
      emit({ type: 'refute-failed', channelId: id, version, reason: 'DEADLINE_PASSED' })
      return
    }
    try {
      await ensureGas()
      const r = await client.call({ fn: 'refute', params: h.params, signed: h.state })
      retry.delete(id)
      log(`watchtower: refuted the dispute of ${id.slice(0, 12)} at version ${on.version} with version ${version} (tx ${r.hash})`)
      emit({ type: 'refuted', channelId: id, version, over: on.version, tx: r.hash })
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'ERROR'
      // The contract's refusals are final for this state; anything else (network, gas) is retried.
      const final = ['STALE_VERSION', 'DEADLINE_PASSED', 'NOT_DISPUTED', 'ALREADY_FINALIZED', 'BAD_SIGNATURE', 'WRONG_CHANNEL', 'WRONG_CONTRACT'].includes(code)
      if (final) retry.delete(id)
      else retry.add(id)
      log(`watchtower: refute of ${id.slice(0, 12)} failed (${code}): ${(e as Error).message}${final ? '' : '; will retry'}`)
      emit({ type: 'refute-failed', channelId: id, version, reason: code })
    }
  }

  // ---- locked positions after a finalize (payouts.ts) ----

  const payouts = lockedPositionPayouts({
    held,
    saveSent: (id, sent) => {
      const h = held.get(id)
      if (!h) return
      const { sent: _was, ...base } = h
      store(id, Object.keys(sent).length > 0 ? { ...base, sent } : base)
    },
    closed: (id) => markEnded(id, 'closed'),
    chain: payoutClient,
    // The client calls the desk uses for the same (attestation, settlePosition, refundPosition), on the payout account.
    settlement: new ChainSettlement({ chain: payoutClient, oracleUrl: cfg.oracleUrl ?? '', watchtowerUrl: null }),
    publicClient,
    ensureGas: ensurePayoutGas,
    config: cfg,
    retryMs: opts.retryMs ?? 15_000,
    maxRetryMs: opts.maxRetryMs ?? 15 * 60_000,
    now,
    stopped: () => stopped,
    log,
    emit,
  })

  // ---- events ----

  let stopped = false
  let timer: NodeJS.Timeout | null = null
  let polling: Promise<void> | null = null

  /** The chain no longer has the block the cursor names (reset, or reorganised): scan again from the deployment. */
  async function cursorStillOnChain(latest: bigint): Promise<boolean> {
    if (cursor < 0n || cursorHash === null) return true
    if (cursor > latest) return false
    const b = await publicClient.getBlock({ blockNumber: cursor }).catch(() => null)
    return b !== null && b.hash === cursorHash
  }

  async function pollBody(): Promise<void> {
    const latest = await publicClient.getBlockNumber({ cacheTime: 0 })
    if (!(await cursorStillOnChain(latest))) {
      log(`watchtower: block ${cursor} is not the one processed before (the chain was reset or reorganised); scanning again from block ${startBlock + 1n}`)
      cursor = startBlock
      cursorHash = null
      // Channels of the old history may not exist any more: check each (drops those not on chain).
      await Promise.all([...held.keys()].map((id) => check(id)))
    }
    while (!stopped && cursor < latest) {
      const from = cursor + 1n
      const to = from + maxRange - 1n < latest ? from + maxRange - 1n : latest
      const logs = await publicClient.getLogs({ address: toChainAddress(cfg.adjudicator), events: EVENTS, fromBlock: from, toBlock: to, strict: true })
      const touched = new Set<Hex>()
      for (const l of logs) {
        const id = (l.args as { channelId: ViemHex }).channelId.slice(2)
        if (!held.has(id)) continue
        touched.add(id)
        if (l.eventName === 'PositionSettled' || l.eventName === 'PositionRefunded') payouts.paidOnChain(id, l.eventName, l.args as { positionId: ViemHex; price?: bigint }, l.transactionHash)
      }
      // Disputes are checked against the chain's current view (channel()), so order and
      // duplicates in the logs do not matter; closed and finalized channels are dropped there.
      await Promise.all([...touched].map((id) => check(id)))
      const block = await publicClient.getBlock({ blockNumber: to })
      cursor = to
      cursorHash = block.hash
      writeFileDurably(cursorFile, `${JSON.stringify({ block: cursor.toString(), hash: cursorHash, chainId: cfg.chainId, adjudicator: cfg.adjudicator })}\n`)
    }
    await Promise.all([...retry].map((id) => check(id)))
    purgeEnded()
    // The passes are started, not awaited: one may wait for the oracle or a receipt, and refutes must not wait for it.
    await payouts.startDue()
  }

  function pollShared(): Promise<void> {
    if (!polling) {
      polling = pollBody()
        .catch((e: unknown) => log(`watchtower: polling the chain failed: ${(e as Error).message.split('\n')[0]}`))
        .finally(() => (polling = null))
    }
    return polling
  }

  /** A poll that starts after this call: one in flight may have read the head before the caller's blocks. */
  async function pollOnce(): Promise<void> {
    if (polling) await polling
    await pollShared()
    await payouts.running()
  }

  const loop = () => {
    if (stopped) return
    void pollShared().then(() => {
      if (!stopped) timer = setTimeout(loop, pollMs)
    })
  }

  // ---- HTTP ----

  function deploymentMismatch(p: ChannelParams): string | null {
    if (p.chainId !== cfg.chainId) return `params.chainId is ${p.chainId}; this watchtower watches chain ${cfg.chainId}`
    if (p.contract !== cfg.adjudicator) return `params.contract is ${p.contract}; this watchtower watches the adjudicator ${cfg.adjudicator}`
    if (p.contractId !== contractId) return `params.contractId is not this deployment's id ${contractId}`
    if (p.asset !== cfg.asset || p.assetDecimals !== cfg.assetDecimals) return `params name ${p.asset}/${p.assetDecimals}; the deployment holds ${cfg.asset}/${cfg.assetDecimals}`
    return null
  }

  async function accept(req: IncomingMessage): Promise<{ channelId: Hex; version: number; stored: boolean }> {
    const body = await readJsonBody(req, maxBody)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ServiceError(400, 'INVALID_FIELD', 'expected an object {params, state}')
    const extra = Object.keys(body).filter((k) => k !== 'params' && k !== 'state')
    if (extra.length > 0) throw new ServiceError(400, 'INVALID_FIELD', `unknown field ${extra[0]!.slice(0, 40)}`, extra[0]!.slice(0, 40))
    let params: ChannelParams
    let signed: SignedState
    try {
      params = parseChannelParams((body as { params?: unknown }).params, 'params')
      signed = parseSignedState((body as { state?: unknown }).state, 'state')
    } catch (e) {
      if (isProtocolError(e)) throw new ServiceError(400, 'INVALID_FIELD', e.message, typeof e.details.field === 'string' ? e.details.field : undefined)
      throw e
    }
    const wrong = deploymentMismatch(params)
    if (wrong) throw new ServiceError(422, 'WRONG_CONTRACT', wrong, 'params')
    const channelId = channelIdOf(params)
    if (!stateBelongsTo(params, signed.state, channelId)) throw new ServiceError(422, 'WRONG_CHANNEL', 'the state names another channel or deployment than the params', 'state')
    const cur = held.get(channelId)
    // Not newer than what is held: nothing to verify or store.
    if (cur && signed.state.version <= cur.state.state.version) return { channelId, version: cur.state.state.version, stored: false }
    const who = clientKey(req)
    if (!cur) {
      if (held.size >= maxChannels) throw new ServiceError(503, 'WATCHTOWER_FULL', `this watchtower holds its maximum of ${maxChannels} channels`)
      const refused = quota.refusal(who)
      if (refused !== null) throw new ServiceError(429, 'CLIENT_QUOTA', refused)
    }
    if (signed.sigA === null || signed.sigB === null) throw new ServiceError(422, 'NOT_FULLY_SIGNED', 'the watchtower keeps only states signed by both parties', signed.sigA === null ? 'state.sigA' : 'state.sigB')
    const digest = stateDigest(signed.state)
    if (!nodeVerifyBytes(signed.sigA, digest, params.partyA)) throw new ServiceError(422, 'BAD_SIGNATURE', "sigA is not party A's signature of this state", 'state.sigA')
    if (!nodeVerifyBytes(signed.sigB, digest, params.partyB)) throw new ServiceError(422, 'BAD_SIGNATURE', "sigB is not party B's signature of this state", 'state.sigB')
    let on: ChannelOnChain
    try {
      on = await client.channel(channelId)
    } catch (e) {
      throw new ServiceError(503, 'CHAIN_UNAVAILABLE', `could not read the channel on chain: ${(e as Error).message.split('\n')[0]}`)
    }
    if (on.status === 'none') throw new ServiceError(404, 'UNKNOWN_CHANNEL', `channel ${channelId} is not open on chain ${cfg.chainId}`, 'params')
    if (on.status === 'closed' || on.status === 'finalized') throw new ServiceError(409, 'CHANNEL_ENDED', `channel ${channelId} is ${on.status} on chain: nothing left to watch`, 'params')
    // Another request may have stored a newer one while we read the chain, or the poll seen it end
    // (then its file carries `ended` and payout records, which a fresh record would drop).
    const now = held.get(channelId)
    if (now && signed.state.version <= now.state.state.version) return { channelId, version: now.state.state.version, stored: false }
    if (now?.ended) throw new ServiceError(409, 'CHANNEL_ENDED', `channel ${channelId} has ended on chain: nothing left to watch`, 'params')
    store(channelId, { ...now, params, state: signed })
    if (!now) quota.added(channelId, who)
    const aside = now ? undefined : setAside.get(channelId)
    if (aside) log(`watchtower: channel ${channelId} held again from version ${signed.state.version}; ${countOf(aside.length, 'unreadable file')} set aside for it: ${aside.join(', ')} (${aside.length === 1 ? 'it' : 'one'} may hold a newer state)`)
    if (on.status === 'disputed' && on.version < signed.state.version) void check(channelId)
    return { channelId, version: signed.state.version, stored: true }
  }

  /**
   * The held state, to one of the channel's two parties only. Checks in order: the body's shape
   * (400), the watchtower it is signed for (403), the timestamp's window (403), a state held (404),
   * the key a party of the held params (403), the signature (403), not answered before (403).
   */
  async function read(req: IncomingMessage, id: string): Promise<unknown> {
    if (!HEX32.test(id)) throw new ServiceError(400, 'INVALID_FIELD', 'channelId: expected 64 lowercase hex characters', 'channelId')
    const body = await readJsonBody(req, 4096)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ServiceError(400, 'INVALID_FIELD', 'expected an object {watchtower, timestamp, key, signature}')
    const b = body as Record<string, unknown>
    const extra = Object.keys(b).filter((k) => !['watchtower', 'timestamp', 'key', 'signature'].includes(k))
    if (extra.length > 0) throw new ServiceError(400, 'INVALID_FIELD', `unknown field ${extra[0]!.slice(0, 40)}`, extra[0]!.slice(0, 40))
    if (!isHex(b.watchtower, 20)) throw new ServiceError(400, 'INVALID_FIELD', "watchtower: expected the watchtower's EVM address as 40 lowercase hex characters, no 0x", 'watchtower')
    if (typeof b.timestamp !== 'number' || !Number.isSafeInteger(b.timestamp) || b.timestamp < 0) throw new ServiceError(400, 'INVALID_FIELD', 'timestamp: expected a non-negative integer (ms since 1970)', 'timestamp')
    if (!isHex(b.key, 32)) throw new ServiceError(400, 'INVALID_FIELD', 'key: expected an ed25519 public key as 64 lowercase hex characters', 'key')
    if (!isHex(b.signature, 64)) throw new ServiceError(400, 'INVALID_FIELD', 'signature: expected an ed25519 signature as 128 lowercase hex characters', 'signature')
    const { watchtower, timestamp, key, signature } = b as { watchtower: string; timestamp: number; key: string; signature: string }
    if (watchtower !== ownAddress) throw new ServiceError(403, 'WRONG_WATCHTOWER', `the request is signed for watchtower 0x${watchtower}; this one is 0x${ownAddress}`, 'watchtower')
    const t = now()
    const skew = timestamp - t
    if (Math.abs(skew) > WATCHTOWER_READ_WINDOW_MS) {
      throw new ServiceError(403, 'STALE_REQUEST', `timestamp is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'} this watchtower's clock; at most ${WATCHTOWER_READ_WINDOW_MS / 1000} s either way: sign a new request`, 'timestamp')
    }
    const h = held.get(id)
    if (!h) throw new ServiceError(404, 'UNKNOWN_CHANNEL', `this watchtower holds no state for channel ${id}`, 'channelId')
    if (key !== h.params.partyA && key !== h.params.partyB) throw new ServiceError(403, 'NOT_A_PARTY', 'key is not one of the channel\'s two parties: only they may read its state', 'key')
    if (!nodeVerifyBytes(signature, watchtowerReadDigest({ channelId: id, watchtower, timestamp }), key)) {
      throw new ServiceError(403, 'BAD_SIGNATURE', 'signature is not by key over this channel, this watchtower and this timestamp', 'signature')
    }
    // Forget answered requests whose window has passed (oldest first; bounded work per request).
    for (const [sig, until] of answered) {
      if (until >= t) break
      answered.delete(sig)
    }
    if (answered.has(signature)) throw new ServiceError(403, 'REPLAYED', 'this request was answered before: sign a new one', 'signature')
    if (answered.size >= MAX_REMEMBERED_READS) throw new ServiceError(503, 'BUSY', 'too many read requests in the last minutes; try again shortly')
    answered.set(signature, t + 2 * WATCHTOWER_READ_WINDOW_MS)
    return { channelId: id, version: h.state.state.version, params: h.params, state: h.state, ended: h.ended ?? null }
  }

  async function route(req: IncomingMessage): Promise<unknown> {
    const raw = req.url ?? '/'
    if (raw.length > MAX_URL_LENGTH) throw new ServiceError(414, 'URL_TOO_LONG', `request URL longer than ${MAX_URL_LENGTH} characters`)
    rateCheck(limiter, req)
    let path: string
    try {
      path = new URL(raw, 'http://watchtower').pathname
    } catch {
      // A client's error (`GET //[`), not the service's: answered, not logged.
      throw new ServiceError(400, 'BAD_URL', `the request target ${JSON.stringify(raw.slice(0, 80))} is not a valid URL path`)
    }
    const m = req.method ?? 'GET'
    const only = (method: string) => {
      if (m !== method && !(method === 'GET' && m === 'HEAD')) throw new ServiceError(405, 'METHOD_NOT_ALLOWED', `${m} is not allowed on ${path}`, undefined, { allow: method })
    }
    if (path === '/watchtower/states') {
      only('POST')
      return accept(req)
    }
    if (path === '/watchtower') {
      only('GET')
      const positions = payouts.reports()
      const [refuteGas, payoutGas] = await Promise.all([gasOf(account.address), gasOf(payoutAccount.address)])
      return {
        address: account.address, payoutAddress: payoutAccount.address, gas: { refute: refuteGas, payout: payoutGas }, chainId: cfg.chainId, adjudicator: `0x${cfg.adjudicator}`, channels: held.size, maxChannels, cursor: cursor.toString(), setAside: setAsideCount(),
        settlesAtOraclePrice: cfg.oracleUrl !== null, positions: positions.slice(0, MAX_REPORTED_POSITIONS), positionsOmitted: Math.max(0, positions.length - MAX_REPORTED_POSITIONS),
      }
    }
    const readPath = /^\/watchtower\/channels\/([^/]*)\/state$/.exec(path)
    if (readPath) {
      only('POST')
      return read(req, readPath[1]!)
    }
    if (path.startsWith('/watchtower/channels/')) {
      only('GET')
      const id = path.slice('/watchtower/channels/'.length)
      if (!HEX32.test(id)) throw new ServiceError(400, 'INVALID_FIELD', 'channelId: expected 64 lowercase hex characters', 'channelId')
      const h = held.get(id)
      if (!h) throw new ServiceError(404, 'NOT_FOUND', `no state held for channel ${id}`)
      const positions = payouts.reports(id)
      return { channelId: id, version: h.state.state.version, ...(positions.length > 0 ? { positions } : {}) }
    }
    if (path === '/info' || path === '/health') {
      only('GET')
      return { ok: true, address: account.address, payoutAddress: payoutAccount.address, chainId: cfg.chainId, adjudicator: `0x${cfg.adjudicator}`, cursor: cursor.toString() }
    }
    throw new ServiceError(404, 'NOT_FOUND', `no route ${path.slice(0, 80)}`)
  }

  const server: Server = createServer((req, res) => {
    if (applyCors(req, res, allowed, 'GET, POST')) return
    route(req).then(
      (body) => sendJson(res, 200, body),
      (e: unknown) => {
        if (e instanceof ServiceError) {
          sendError(res, e)
          if (e.status === 413) req.destroy()
          return
        }
        log(`watchtower: internal error: ${e instanceof Error ? e.stack : String(e)}`)
        sendError(res, new ServiceError(500, 'INTERNAL', 'internal error'))
      },
    )
  })
  server.headersTimeout = 10_000
  server.requestTimeout = 15_000
  server.keepAliveTimeout = 5_000
  server.maxHeadersCount = 50
  await new Promise<void>((res, rej) => {
    server.once('error', rej)
    server.listen(opts.port ?? 0, host, () => res())
  })
  const port = (server.address() as AddressInfo).port

  // Gas first (so a refute is never late for it), then catch up with the events missed while away.
  await ensureGas().catch((e: unknown) => log(`watchtower: ${(e as Error).message}`))
  await ensurePayoutGas().catch((e: unknown) => log(`watchtower: ${(e as Error).message}`))
  loop()

  return {
    url: `http://${host}:${port}`,
    port,
    address: account.address,
    payoutAddress: payoutAccount.address,
    cursor: () => cursor,
    held: (id) => held.get(id)?.state,
    channelCount: () => held.size,
    positions: () => payouts.reports(),
    onActivity(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    pollOnce,
    async close() {
      stopped = true
      if (timer) clearTimeout(timer)
      await new Promise<void>((res) => {
        server.close(() => res())
        server.closeAllConnections()
      })
      await polling
      await Promise.all([...inflight.values(), payouts.running()])
      unlock()
    },
  }
}

// ---- CLI ----

const USAGE = `usage: node --import tsx channel-contract/services/watchtower.ts [options]
  --port <n>            port on 127.0.0.1 (default ${DEFAULT_WATCHTOWER_PORT}; 0 picks a free one)
  --host <addr>         bind address (default 127.0.0.1)
  --data <dir>          held states, event cursor and its two EVM keys (default .data/watchtower)
  --poll-ms <n>         milliseconds between event polls (default 1000)
  --max-channels <n>    channels held at most (default 10000)
  --rate <n>            requests per second per client address (burst 2n; default 100)
  --allow-origin <o>    a web origin allowed to call it (repeatable), e.g. http://127.0.0.1:5173
${CHAIN_WAIT_HELP}
The chain comes from the chain config (otc.config.json or OTC_* variables; see channel-contract/chain/config.ts),
checked against its chain at start (its chain id, and code at the adjudicator, token and verifier).
OTC_WATCHTOWER_KEY (0x + 64 hex) sets its refute account's key instead of <data>/key.json, and
OTC_WATCHTOWER_PAYOUT_KEY its payout account's instead of <data>/payout-key.json (never the same key);
off the dev chain, fund both addresses.
prints "watchtower service listening on <url> address=<0x...> payoutAddress=<0x...>"`

async function main(): Promise<void> {
  const cli = serviceCli(USAGE, 9) // 9 digits at most: --max-channels goes up to 10_000_000
  const values = cli.flags({
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    'poll-ms': { type: 'string' },
    'max-channels': { type: 'string' },
    rate: { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
    'chain-wait-s': { type: 'string' },
    help: { type: 'boolean' },
  })
  if (values.help) return console.log(USAGE)
  // Every flag before the chain config: a bad flag is the thing to fix, whatever the config says.
  cli.host(values.host)
  const chainWaitS = cli.chainWait(values['chain-wait-s'])
  const port = cli.int('port', values.port, DEFAULT_WATCHTOWER_PORT, 0, 65535)
  const pollMs = cli.int('poll-ms', values['poll-ms'], 1000, 50, 600_000)
  const maxChannels = cli.int('max-channels', values['max-channels'], 10_000, 1, 10_000_000)
  const rate = cli.int('rate', values.rate, 100, 1, 100_000)
  const keyOf = (env: string): string | undefined => {
    const k = process.env[env]?.trim()
    if (k !== undefined && k !== '' && !/^0x[0-9a-fA-F]{64}$/.test(k)) {
      console.error(`${env}: expected 0x followed by 64 hex characters`)
      process.exit(2)
    }
    return k
  }
  const key = keyOf(KEY_FILES.refute.env)
  const payoutKey = keyOf(KEY_FILES.payout.env)
  // The config, then whether its chain is the one its RPC serves (chain id, code at each address):
  // a wrong one is its message and status 2, not a watchtower that polls the wrong chain.
  let config: ChainConfig
  try {
    config = loadChainConfig()
    await waitForChainAtStart(config, chainWaitS)
  } catch (e) {
    if (!(e instanceof ChainConfigError)) throw e
    console.error(e.message)
    process.exit(2)
  }
  const s = await startWatchtowerService({
    config,
    dataDir: values.data ?? '.data/watchtower',
    ...(key ? { account: privateKeyToAccount(key.toLowerCase() as ViemHex) } : {}),
    ...(payoutKey ? { payoutAccount: privateKeyToAccount(payoutKey.toLowerCase() as ViemHex) } : {}),
    host: values.host ?? '127.0.0.1',
    port,
    pollMs,
    maxChannels,
    rateLimit: { perSecond: rate, burst: 2 * rate },
    allowedOrigins: values['allow-origin'] ?? [],
    log: (m) => console.error(m),
  })
  console.log(`watchtower service listening on ${s.url} address=${s.address} payoutAddress=${s.payoutAddress}`)
  exitOnSignals(s)
}

runIfMain(import.meta.url, main)
