// Settlement at expiry, the part both the app and the desk run: which expired positions this party
// proposes to settle now, and the settle's contents from the oracle's attestations. The settle
// itself is an ordinary proposal (the engine and core's transition check the attestations).
import type { Hex } from '../bytes.ts'
import { endedOnContract, type ContractChannelStatus } from '../channel.ts'
import type { SignedAttestation } from '../attestation.ts'
import { fixingKey } from '../pricing/fixing.ts'
import type { Position } from '../state.ts'
import type { Settlement } from '../transition.ts'
import { intentKey, type ChannelEnded, type ChannelView, type IntentOutcome } from './engine.ts'

/**
 * Whether an in-channel settle can still take effect. Once the contract finalized or closed the
 * channel it settles (or refunds) the locked positions itself and no co-signed state moves money
 * any more: a settle proposal there is never needed, and with the counterparty gone it would wait
 * (and be retried) forever. Until the contract has been read it is not known either way, so wait:
 * the reading comes within seconds, and a proposal made blind might be one of those dead ones.
 */
export function settlesInChannel(chain: ContractChannelStatus | null): boolean {
  return chain !== null && !endedOnContract(chain)
}

/**
 * The contract's end of the channel, for the session (ChannelSession.setEnded: it signs nothing
 * more): finalized or closed, with the version the contract holds. Null where the channel still
 * settles in the channel (settlesInChannel) or the contract has not been read.
 */
export function channelEnded(chain: { readonly status: ContractChannelStatus; readonly version: number } | null): ChannelEnded | null {
  return chain !== null && endedOnContract(chain.status) ? { status: chain.status, version: chain.version } : null
}

/**
 * The positions of latest at or past expiry (`now`) that this party should propose to settle: none
 * once the state is final or the contract ended the channel (`settlesInChannel`); not those a
 * pending settle proposal of the peer covers (the engine countersigns that one by itself), unless
 * this party's engine refused that proposal (its timestamp out of the signing window, say): then
 * it would never be signed, and waiting on it would leave the positions unsettled for good.
 */
export function positionsToSettle(view: ChannelView, now: number, chain: ContractChannelStatus | null): Position[] {
  const latest = view.latest?.state
  if (!latest || latest.isFinal || !settlesInChannel(chain)) return []
  const peerCovers = new Set<Hex>()
  for (const p of view.pending) {
    const t = p.proposal.transition
    if (p.proposal.proposer !== view.me && p.status !== 'refused' && t?.type === 'settle') for (const x of t.settlements) peerCovers.add(x.positionId)
  }
  return latest.positions.filter((p) => p.terms.expiry <= now && !peerCovers.has(p.id))
}

/**
 * Whether an own proposal is still open: pending, awaiting the peer or retrying, so it may yet take
 * effect (or, once the contract ended the channel, be shown as void: `settlesInChannel`).
 */
export function outcomeOpen(o: Pick<IntentOutcome, 'status'>): boolean {
  return o.status === 'pending' || o.status === 'awaiting-peer' || o.status === 'retrying'
}

/** Whether an own settle of exactly these settlements is still open (`outcomeOpen`). */
export function ownSettleOpen(view: ChannelView, settlements: readonly Settlement[]): boolean {
  const intent = intentKey({ type: 'settle', settlements, timestamp: 0 })
  const own = view.outcomes.find((o) => o.intent === intent)
  return own !== undefined && outcomeOpen(own)
}

/**
 * The settlements of `positions` with the oracle's attestations (`attest`, by feed and expiry);
 * a position whose attestation is not available yet is left out, with the reason. One attestation
 * serves every position of its feed and expiry: a batch expiring together is one question to the
 * oracle, not one per position. The distinct questions are asked one after another (no burst
 * against the oracle service's per-client rate limit). Settlements and missing positions keep the
 * order of `positions`.
 */
export async function settlementsFor(
  positions: readonly Position[],
  attest: (feed: string, expiry: number) => Promise<SignedAttestation>,
): Promise<{ readonly settlements: Settlement[]; readonly missing: { readonly position: Position; readonly error: unknown }[] }> {
  // The fixing's key: one attestation per feed and expiry instant.
  const keyOf = (p: Position) => fixingKey(p.terms.feed, p.terms.expiry)
  const answers = new Map<string, { ok: true; attestation: SignedAttestation } | { ok: false; error: unknown }>()
  for (const p of positions) {
    const key = keyOf(p)
    if (answers.has(key)) continue
    try {
      answers.set(key, { ok: true, attestation: await attest(p.terms.feed, p.terms.expiry) })
    } catch (error) {
      answers.set(key, { ok: false, error })
    }
  }
  const settlements: Settlement[] = []
  const missing: { position: Position; error: unknown }[] = []
  for (const position of positions) {
    const a = answers.get(keyOf(position))!
    if (a.ok) settlements.push({ positionId: position.id, attestation: a.attestation })
    else missing.push({ position, error: a.error })
  }
  return { settlements, missing }
}
