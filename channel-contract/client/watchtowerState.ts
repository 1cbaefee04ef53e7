// The state a watchtower hands back to a party that lost its own (POST
// /watchtower/channels/:id/state). The watchtower is not trusted: its answer is used only if it is
// a state of exactly this channel (the party's own params, read from the contract), carries both
// parties' valid signatures (core's verifyStateSignature per party, the engine's rule for roots) and conserves the
// deposit (core's assertConservation). Anything else is refused with a reason naming what failed.
import { z } from '../../core/zod.ts'
import {
  assertConservation,
  channelIdOf,
  isProtocolError,
  parseSignedState,
  stateBelongsTo,
  verifyStateSignature,
  type ChannelParams,
  type SignedState,
} from '../../core/index.ts'
import { ChainCallError } from './chain.ts'

export interface WatchtowerState {
  /** Verified here: this channel's, both signatures valid, deposit conserved. */
  readonly signed: SignedState
  /** The watchtower's base URL it came from. */
  readonly from: string
  /** The channel had ended on chain when the watchtower last looked (it keeps ended channels a while). */
  readonly ended: { readonly status: 'finalized' | 'closed'; readonly at: number } | null
}

export const watchtowerStateAnswerSchema = z.object({
  channelId: z.string(),
  version: z.number().check(z.int(), z.nonnegative()),
  params: z.unknown(),
  state: z.unknown(),
  ended: z.optional(z.nullable(z.object({ status: z.enum(['finalized', 'closed']), at: z.number().check(z.int()) }))),
})
export type WatchtowerStateAnswer = z.infer<typeof watchtowerStateAnswerSchema>

const refuse = (code: string, message: string) => new ChainCallError(code, `The watchtower's state was refused: ${message}.`, 'Get the state from the counterparty, or try another watchtower.')

/** Checks the watchtower's answer for `params`' channel; returns the state only if it may be used. */
export function checkWatchtowerState(params: ChannelParams, answer: WatchtowerStateAnswer, from: string): WatchtowerState {
  const channelId = channelIdOf(params)
  if (answer.channelId !== channelId) throw refuse('WRONG_CHANNEL', `it answered for channel ${String(answer.channelId).slice(0, 12)}…, not ${channelId.slice(0, 12)}…`)
  let signed: SignedState
  try {
    signed = parseSignedState(answer.state, 'state')
  } catch (e) {
    throw refuse('INVALID_FIELD', isProtocolError(e) ? e.message : String(e))
  }
  if (!stateBelongsTo(params, signed.state, channelId)) throw refuse('WRONG_CHANNEL', 'the state names another channel or deployment')
  if (signed.state.version !== answer.version) throw refuse('INVALID_FIELD', `it says version ${answer.version} but the state is v${signed.state.version}`)
  for (const party of ['A', 'B'] as const) {
    const sig = party === 'A' ? signed.sigA : signed.sigB
    if (sig === null || !verifyStateSignature(params, signed.state, party, sig, channelId)) throw refuse('BAD_SIGNATURE', `party ${party}'s signature on v${signed.state.version} is ${sig === null ? 'missing' : 'not valid'}`)
  }
  try {
    assertConservation(signed.state)
  } catch (e) {
    throw refuse('CONSERVATION_VIOLATED', (e as Error).message)
  }
  return { signed, from, ended: answer.ended ?? null }
}
