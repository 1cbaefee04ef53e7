// The node's HTTP API as types and zod schemas: the server builds these shapes, the client parses
// every response with them (the node is untrusted input to the client). Amounts are decimal strings.
import { z } from 'zod'
import { channelParamsSchema, channelStateSchema, signedAttestationSchema, type ChannelParams, type ChannelState, type Hex, type Position, type PublicKeyHex, type SignedAttestation } from '../../core/index.ts'
import { hex32Schema, recordedEventSchema, safeIntSchema, uintSchema, type RecordedEvent } from '../contract/wire.ts'
import type { ChannelStatus } from '../contract/contract.ts'

export const API_PREFIX = '/v1'

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string; readonly details?: Record<string, unknown> }
}
export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional(), details: z.record(z.string(), z.unknown()).optional() }),
})

export interface NodeInfo {
  readonly contractId: Hex
  readonly dev: boolean
  readonly height: number
  readonly headHash: Hex
  readonly now: number
  readonly lastEventSeq: number
  /** Ms after a position's expiry during which an attestation may settle it; then refunds open. */
  readonly settlementFallbackMs: number
  readonly oracle: { readonly publicKey: PublicKeyHex; readonly feeds: readonly { readonly feed: string; readonly decimals: number }[] } | null
  readonly watchtower: { readonly publicKey: PublicKeyHex } | null
}
export const nodeInfoSchema = z.object({
  contractId: hex32Schema,
  dev: z.boolean(),
  height: safeIntSchema,
  headHash: hex32Schema,
  now: safeIntSchema,
  lastEventSeq: safeIntSchema,
  settlementFallbackMs: safeIntSchema,
  oracle: z.object({ publicKey: hex32Schema, feeds: z.array(z.object({ feed: z.string(), decimals: safeIntSchema })) }).nullable(),
  watchtower: z.object({ publicKey: hex32Schema }).nullable(),
}) satisfies z.ZodType<NodeInfo, unknown>

export interface Health {
  readonly ok: boolean
  readonly height: number
  readonly now: number
}
export const healthSchema = z.object({ ok: z.boolean(), height: safeIntSchema, now: safeIntSchema })

export interface AccountView {
  readonly account: PublicKeyHex
  readonly balance: bigint
  readonly nonce: number
}
export const accountSchema = z.object({ account: hex32Schema, balance: uintSchema, nonce: safeIntSchema }) satisfies z.ZodType<AccountView, unknown>

export interface DisputeView {
  readonly version: number
  readonly stateHash: Hex
  /** Refutes are accepted while node time < deadline; finalize from the deadline on. */
  readonly deadline: number
  readonly startedBy: PublicKeyHex
  readonly lastBy: PublicKeyHex
  readonly state: ChannelState
}
export interface ChannelView {
  readonly channelId: Hex
  readonly params: ChannelParams
  readonly status: ChannelStatus
  readonly deposited: bigint
  readonly holdings: bigint
  readonly openedAt: number
  readonly dispute: DisputeView | null
  readonly lockedPositions: readonly Position[]
  readonly payoutVersion: number | null
}
export const channelViewSchema = z.object({
  channelId: hex32Schema,
  params: channelParamsSchema,
  status: z.enum(['open', 'disputed', 'finalized', 'closed']),
  deposited: uintSchema,
  holdings: uintSchema,
  openedAt: safeIntSchema,
  dispute: z.object({ version: safeIntSchema, stateHash: hex32Schema, deadline: safeIntSchema, startedBy: hex32Schema, lastBy: hex32Schema, state: channelStateSchema }).nullable(),
  lockedPositions: channelStateSchema.shape.positions,
  payoutVersion: safeIntSchema.nullable(),
}) satisfies z.ZodType<ChannelView, unknown>
export const channelListSchema = z.object({ channels: z.array(channelViewSchema).max(10_000) })

export interface TxReceiptView {
  readonly txId: Hex | null
  readonly height: number
  readonly time: number
  readonly events: readonly RecordedEvent[]
}
export const txReceiptSchema = z.object({ txId: hex32Schema.nullable(), height: safeIntSchema, time: safeIntSchema, events: z.array(recordedEventSchema) }) satisfies z.ZodType<TxReceiptView, unknown>

export interface EventsPage {
  readonly events: readonly RecordedEvent[]
  readonly lastSeq: number
}
export const eventsPageSchema = z.object({ events: z.array(recordedEventSchema), lastSeq: safeIntSchema }) satisfies z.ZodType<EventsPage, unknown>

export interface TxLookup {
  readonly txId: Hex
  readonly height: number
}
export const txLookupSchema = z.object({ txId: hex32Schema, height: safeIntSchema })

export interface StateView {
  readonly height: number
  readonly headHash: Hex
  readonly stateHash: Hex
  readonly totals: { readonly deposited: bigint; readonly withdrawn: bigint; readonly accounts: bigint; readonly channels: bigint }
}
export const stateViewSchema = z.object({
  height: safeIntSchema,
  headHash: hex32Schema,
  stateHash: hex32Schema,
  totals: z.object({ deposited: uintSchema, withdrawn: uintSchema, accounts: uintSchema, channels: uintSchema }),
}) satisfies z.ZodType<StateView, unknown>

export const nowSchema = z.object({ now: safeIntSchema })

export const attestationResponseSchema = signedAttestationSchema satisfies z.ZodType<SignedAttestation, unknown>

export interface WatchReceipt {
  readonly channelId: Hex
  readonly version: number
}
export const watchReceiptSchema = z.object({ channelId: hex32Schema, version: safeIntSchema })

/** Messages the node pushes over the WebSocket at /v1/ws?since=N. */
export const pushMessageSchema = z.object({ type: z.literal('events'), events: z.array(recordedEventSchema) })
