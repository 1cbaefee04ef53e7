// A demo desk's local API (desk/api.ts), as both ways of opening a channel with one use it (the
// channel list's "Trade with demo desk", the Network RFQ's demo desks panel): its card from GET
// /info, and the invite handed over by POST /invite, a refusal said in the desk's own words; and,
// when the trader abandons a channel never opened, its release (POST /release) so the desk frees
// the channel's slot at once.
import { z } from '../../core/zod.ts'
import { ProtocolError, signRelease, type ChannelRelease, type SecretKeyHex } from '../../core/index.ts'
import { failureOf } from '../failure.ts'
import { releaseNotice, type AbandonNotice } from './abandon.ts'
import { counterpartyName, type ChannelRecord } from './channelRecords.ts'

export interface DemoDeskCard {
  readonly name: string
  readonly publicKey: string
  /** `<public key>@0x<EVM address>`, as a trader gives its contact. */
  readonly contact: string
}

const infoSchema = z.object({ name: z.optional(z.string()), publicKey: z.string(), contact: z.string() })
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

/** The name a desk gives itself, as a counterparty's name (counterpartyName's rules), else "Demo desk": it is its HTTP answer's, untrusted. */
export function deskName(given: string | undefined): string {
  try {
    return counterpartyName(given ?? '')
  } catch {
    return 'Demo desk'
  }
}

/** The desk at `url`: its name, key and contact. Throws with what went wrong (not reachable, or an answer without them). */
export async function demoDeskCard(url: string): Promise<DemoDeskCard> {
  const res = await fetch(`${url}/info`)
  if (!res.ok) throw new Error(`answered ${res.status}`)
  const info = infoSchema.safeParse(await res.json())
  if (!info.success) throw new Error('sent no key or contact')
  return { name: deskName(info.data.name), publicKey: info.data.publicKey, contact: info.data.contact }
}

/** The desk said no: its words (the message), its code (kept for the tooltip, failure.ts), its HTTP status. */
export class DemoDeskRefusal extends ProtocolError<string> {
  constructor(code: string, message: string, readonly status: number) {
    super(code, message, { status })
  }
}

/** A refusal read from the desk's answer: `${what}: <its reason>`, its code apart (HTTP_<status> when the body says none). */
async function refusalOf(res: Response, what: string): Promise<DemoDeskRefusal> {
  const text = await res.text()
  let reason = `it answered ${res.status}`
  let code = `HTTP_${res.status}`
  try {
    const e = errorSchema.safeParse(JSON.parse(text))
    if (e.success) [reason, code] = [e.data.error.message, e.data.error.code]
  } catch {
    // not JSON: the status says it
  }
  return new DemoDeskRefusal(code, `${what}: ${reason}`, res.status)
}

/** Hands `invite` to the desk. A refusal throws DemoDeskRefusal "<name> refused the invite: <its reason>", not its raw JSON. */
export async function inviteDemoDesk(url: string, name: string, invite: unknown): Promise<void> {
  const sent = await fetch(`${url}/invite`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(invite) })
  if (!sent.ok) throw await refusalOf(sent, `${name} refused the invite`)
}

/** How long the app waits for a desk to answer a release (the channel is already gone from the list). */
const RELEASE_TIMEOUT_MS = 10_000

/**
 * Hands the trader's signed release of a channel never opened (core/release.ts) to the desk (POST
 * /release), which then frees the channel's slot under its per-key limit at once. A refusal throws
 * DemoDeskRefusal "it answered: <its reason>"; no answer in 10 s throws too.
 */
export async function releaseAtDemoDesk(url: string, release: ChannelRelease): Promise<void> {
  const body = { channelId: release.channelId, at: release.at, signature: release.signature }
  const sent = await fetch(`${url}/release`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(RELEASE_TIMEOUT_MS) })
  if (!sent.ok) throw await refusalOf(sent, 'it answered')
}

/**
 * After the trader abandoned `record` (removed from the list already), tells the demo desk its
 * invite went to, with a release signed by the trader's channel key now. Never throws: what
 * happened is the notice (abandon.ts releaseNotice); the abandon stands either way.
 */
export async function releaseAbandoned(record: ChannelRecord, secretKey: SecretKeyHex, now: number): Promise<AbandonNotice | null> {
  if (record.deskUrl === undefined) return null
  try {
    await releaseAtDemoDesk(record.deskUrl, signRelease(record.params, record.me, secretKey, now))
    return releaseNotice(record.channelId, record.label, { released: true })
  } catch (e) {
    const reason = e instanceof DemoDeskRefusal ? failureOf(e) : { text: `it could not be reached at ${record.deskUrl} (${failureOf(e).text})`, code: null }
    return releaseNotice(record.channelId, record.label, { released: false, reason })
  }
}

/**
 * Why a channel cannot be proposed yet from the settlement link's snapshot (an invite names the
 * chain, the contract, the oracle's key and the trader's EVM account), or null when it can. While
 * the app is still reading them after a load it says so: a click then is not an error, and the
 * button waits instead of answering "not reachable".
 */
export function venueNotReady(s: { readonly healthy: boolean | null; readonly healthError: string | null; readonly info: { readonly oracle: unknown } | null; readonly wallet: unknown }, oracleConfigured: boolean): string | null {
  if (s.healthy === false) return `the chain is not reachable${s.healthError ? ` (${s.healthError})` : ''}`
  if (s.healthy === null || s.info === null || s.wallet === null) return 'reading the chain and the oracle service…'
  if (s.info.oracle === null) return oracleConfigured ? 'the oracle service is not reachable' : 'this deployment names no oracle service'
  return null
}
