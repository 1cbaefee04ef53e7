// Wire forms of transactions, events and node responses. The node parses request bodies with these,
// the client parses every (untrusted) node response with them. Amounts are decimal strings.
import { z } from 'zod'
import {
  channelParamsSchema,
  isValidPublicKey,
  signedAttestationSchema,
  signedStateSchema,
  U128_MAX,
  type Wire,
} from '../../core/index.ts'
import { ContractError } from './errors.ts'
import type { ContractEvent } from './events.ts'
import type { SignedTx } from './tx.ts'

const hex32 = z.string({ error: 'expected 64 lowercase hex characters' }).regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters')
const sig = z.string({ error: 'expected a signature' }).regex(/^[0-9a-f]{128}$/, 'expected a 64-byte signature as 128 lowercase hex characters')

// Public-key validity costs a point decompression; senders repeat, so remember the good ones.
const validKeys = new Set<string>()
function isValidKeyCached(k: string): boolean {
  if (validKeys.has(k)) return true
  if (!isValidPublicKey(k)) return false
  if (validKeys.size > 100_000) validKeys.clear()
  validKeys.add(k)
  return true
}
export const publicKeySchema = hex32.refine(isValidKeyCached, 'not a valid ed25519 public key (bad point or small order)')

/** A positive amount in minor units, 1..2^128-1, as a decimal string. */
export const amountSchema = z
  .string({ error: 'expected an amount as a decimal integer string' })
  .max(40, 'too many digits')
  .regex(/^[1-9][0-9]*$/, 'expected a positive decimal integer string without sign, point, exponent or leading zeros')
  .transform((s) => BigInt(s))
  .refine((v) => v <= U128_MAX, 'must be at most 2^128-1')

/** Any non-negative amount (balances, payouts). */
export const uintSchema = z
  .string({ error: 'expected a decimal integer string' })
  .regex(/^(0|[1-9][0-9]*)$/, 'expected a decimal integer string')
  .transform((s) => BigInt(s))

const safeInt = z.number({ error: 'expected an integer number' }).int('expected an integer').min(0, 'must be >= 0').max(Number.MAX_SAFE_INTEGER, 'too large')

export const txBodySchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('deposit'), amount: amountSchema }),
    z.strictObject({ type: z.literal('withdraw'), amount: amountSchema }),
    z.strictObject({ type: z.literal('open'), params: channelParamsSchema, state: signedStateSchema }),
    z.strictObject({ type: z.literal('close'), channelId: hex32, state: signedStateSchema }),
    z.strictObject({ type: z.literal('dispute'), channelId: hex32, state: signedStateSchema }),
    z.strictObject({ type: z.literal('refute'), channelId: hex32, state: signedStateSchema }),
    z.strictObject({ type: z.literal('finalize'), channelId: hex32 }),
    z.strictObject({ type: z.literal('settlePosition'), channelId: hex32, positionId: hex32, attestation: signedAttestationSchema }),
    z.strictObject({ type: z.literal('refundPosition'), channelId: hex32, positionId: hex32 }),
  ],
  { error: 'expected a body of type deposit, withdraw, open, close, dispute, refute, finalize, settlePosition or refundPosition' },
)

export const signedTxSchema = z.strictObject({
  tx: z.strictObject({ contractId: hex32, sender: publicKeySchema, nonce: safeInt, body: txBodySchema }),
  signature: sig,
})

function issueError(error: z.ZodError, root: string): ContractError {
  const issue = error.issues[0]!
  let path = [root, ...issue.path.map(String)].filter(Boolean)
  if (issue.code === 'unrecognized_keys') path = [...path, (issue as { keys: string[] }).keys[0]!]
  const field = path.join('.')
  const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message
  return new ContractError(issue.path.at(-1) === 'amount' ? 'INVALID_AMOUNT' : 'INVALID_FIELD', `${field}: ${message}`, { field })
}

/** Parses untrusted input with `schema`; throws ContractError (INVALID_FIELD / INVALID_AMOUNT) naming the field. */
export function parseContractInput<S extends z.ZodType>(schema: S, input: unknown, root = ''): z.output<S> {
  const r = schema.safeParse(input)
  if (!r.success) throw issueError(r.error, root)
  return r.data
}

export function parseSignedTx(input: unknown): SignedTx {
  return parseContractInput(signedTxSchema, input) as SignedTx
}

export type SignedTxWire = Wire<SignedTx>

// ---- events ----

const b = uintSchema
export const contractEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('Deposited'), account: hex32, amount: b, balance: b }),
  z.strictObject({ type: z.literal('Withdrawn'), account: hex32, amount: b, balance: b }),
  z.strictObject({ type: z.literal('FaucetCredited'), account: hex32, amount: b, balance: b }),
  z.strictObject({ type: z.literal('ChannelOpened'), channelId: hex32, partyA: hex32, partyB: hex32, amountA: b, amountB: b }),
  z.strictObject({ type: z.literal('ChannelClosed'), channelId: hex32, version: safeInt, paidA: b, paidB: b }),
  z.strictObject({ type: z.literal('DisputeStarted'), channelId: hex32, version: safeInt, deadline: safeInt, by: hex32 }),
  z.strictObject({ type: z.literal('DisputeRefuted'), channelId: hex32, version: safeInt, deadline: safeInt, by: hex32 }),
  z.strictObject({ type: z.literal('ChannelFinalized'), channelId: hex32, version: safeInt, paidA: b, paidB: b, lockedPositions: z.array(hex32) }),
  z.strictObject({ type: z.literal('PositionSettled'), channelId: hex32, positionId: hex32, price: b, toA: b, toB: b }),
  z.strictObject({ type: z.literal('PositionRefunded'), channelId: hex32, positionId: hex32, toA: b, toB: b }),
]) satisfies z.ZodType<ContractEvent, unknown>

/** An event as the node records it: numbered, with the block and the transaction that caused it. */
export interface RecordedEvent {
  /** 1, 2, 3, ... in contract order. */
  readonly seq: number
  readonly height: number
  readonly time: number
  /** The transaction id, or null for a dev faucet credit. */
  readonly txId: string | null
  readonly event: ContractEvent
}

export const recordedEventSchema = z.strictObject({
  seq: safeInt,
  height: safeInt,
  time: safeInt,
  txId: hex32.nullable(),
  event: contractEventSchema,
}) satisfies z.ZodType<RecordedEvent, unknown>

export { hex32 as hex32Schema, sig as signatureSchema, safeInt as safeIntSchema }
