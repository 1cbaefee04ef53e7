// A demo desk's local API (desk/api.ts), as both ways of opening a channel with one use it (the
// channel list's "Trade with demo desk", the Network RFQ's demo desks panel): its card from GET
// /info, and the invite handed over by POST /invite, a refusal said in the desk's own words.
import { z } from 'zod'
import { ProtocolError } from '../../core/index.ts'

export interface DemoDeskCard {
  readonly name: string
  readonly publicKey: string
  /** `<public key>@0x<EVM address>`, as a trader gives its contact. */
  readonly contact: string
}

const infoSchema = z.object({ name: z.string().optional(), publicKey: z.string(), contact: z.string() })
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

/** The desk at `url`: its name, key and contact. Throws with what went wrong (not reachable, or an answer without them). */
export async function demoDeskCard(url: string): Promise<DemoDeskCard> {
  const res = await fetch(`${url}/info`)
  if (!res.ok) throw new Error(`answered ${res.status}`)
  const info = infoSchema.safeParse(await res.json())
  if (!info.success) throw new Error('sent no key or contact')
  return { name: (info.data.name ?? 'Demo desk').slice(0, 64), publicKey: info.data.publicKey, contact: info.data.contact }
}

/** The desk said no: its words (the message), its code (kept for the tooltip, failure.ts), its HTTP status. */
export class DemoDeskRefusal extends ProtocolError<string> {
  constructor(code: string, message: string, readonly status: number) {
    super(code, message, { status })
  }
}

/** Hands `invite` to the desk. A refusal throws DemoDeskRefusal "<name> refused the invite: <its reason>", not its raw JSON. */
export async function inviteDemoDesk(url: string, name: string, invite: unknown): Promise<void> {
  const sent = await fetch(`${url}/invite`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(invite) })
  if (sent.ok) return
  const text = await sent.text()
  let reason = `it answered ${sent.status}`
  let code = `HTTP_${sent.status}`
  try {
    const e = errorSchema.safeParse(JSON.parse(text))
    if (e.success) [reason, code] = [e.data.error.message, e.data.error.code]
  } catch {
    // not JSON: the status says it
  }
  throw new DemoDeskRefusal(code, `${name} refused the invite: ${reason}`, sent.status)
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
