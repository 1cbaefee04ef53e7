// Transactions: every contract call is a Tx signed by its sender over H("tx/v1", canonical bytes).
// The bytes bind the deployment (contractId), the sender and a per-account nonce, so a transaction
// is void in another deployment and cannot be replayed or reordered.
import {
  bytesToHex,
  encode,
  encodeAttestation,
  encodeChannelParams,
  encodeState,
  signBytes,
  taggedHash,
  type ByteWriter,
  type ChannelParams,
  type Hex,
  type PublicKeyHex,
  type SecretKeyHex,
  type SignatureHex,
  type SignedAttestation,
  type SignedState,
} from '../../core/index.ts'

export interface DepositBody {
  readonly type: 'deposit'
  readonly amount: bigint
}
export interface WithdrawBody {
  readonly type: 'withdraw'
  readonly amount: bigint
}
/** Both parties' signatures on the version-0 state authorise moving both deposits into the channel. */
export interface OpenBody {
  readonly type: 'open'
  readonly params: ChannelParams
  readonly state: SignedState
}
export interface CloseBody {
  readonly type: 'close'
  readonly channelId: Hex
  readonly state: SignedState
}
export interface DisputeBody {
  readonly type: 'dispute'
  readonly channelId: Hex
  readonly state: SignedState
}
export interface RefuteBody {
  readonly type: 'refute'
  readonly channelId: Hex
  readonly state: SignedState
}
export interface FinalizeBody {
  readonly type: 'finalize'
  readonly channelId: Hex
}
export interface SettlePositionBody {
  readonly type: 'settlePosition'
  readonly channelId: Hex
  readonly positionId: Hex
  readonly attestation: SignedAttestation
}
export interface RefundPositionBody {
  readonly type: 'refundPosition'
  readonly channelId: Hex
  readonly positionId: Hex
}

export type TxBody =
  | DepositBody
  | WithdrawBody
  | OpenBody
  | CloseBody
  | DisputeBody
  | RefuteBody
  | FinalizeBody
  | SettlePositionBody
  | RefundPositionBody
export type TxType = TxBody['type']

export interface Tx {
  readonly contractId: Hex
  readonly sender: PublicKeyHex
  /** Must equal the sender account's next nonce (0 for a fresh account). */
  readonly nonce: number
  readonly body: TxBody
}

export interface SignedTx {
  readonly tx: Tx
  readonly signature: SignatureHex
}

const TYPE_TAG: Record<TxType, number> = {
  deposit: 1,
  withdraw: 2,
  open: 3,
  close: 4,
  dispute: 5,
  refute: 6,
  finalize: 7,
  settlePosition: 8,
  refundPosition: 9,
}

const NO_SIG = '0'.repeat(128)

export function encodeSignedState(w: ByteWriter, s: SignedState): void {
  encodeState(w, s.state)
  w.bool(s.sigA !== null).hex(s.sigA ?? NO_SIG, 64)
  w.bool(s.sigB !== null).hex(s.sigB ?? NO_SIG, 64)
}

function encodeBody(w: ByteWriter, b: TxBody): void {
  w.u8(TYPE_TAG[b.type])
  switch (b.type) {
    case 'deposit':
    case 'withdraw':
      w.u128(b.amount)
      return
    case 'open':
      encodeChannelParams(w, b.params)
      encodeSignedState(w, b.state)
      return
    case 'close':
    case 'dispute':
    case 'refute':
      w.hex(b.channelId, 32)
      encodeSignedState(w, b.state)
      return
    case 'finalize':
      w.hex(b.channelId, 32)
      return
    case 'settlePosition':
      w.hex(b.channelId, 32).hex(b.positionId, 32)
      encodeAttestation(w, b.attestation.attestation)
      w.hex(b.attestation.signature, 64)
      return
    case 'refundPosition':
      w.hex(b.channelId, 32).hex(b.positionId, 32)
      return
  }
}

export function encodeTx(w: ByteWriter, tx: Tx): void {
  w.hex(tx.contractId, 32)
  w.hex(tx.sender, 32)
  w.u64(tx.nonce)
  encodeBody(w, tx.body)
}

export function txBytes(tx: Tx): Uint8Array {
  return encode((w) => encodeTx(w, tx))
}

/** The 32-byte digest the sender signs; its hex is the transaction id. Throws RangeError on out-of-range fields. */
export function txDigest(tx: Tx): Uint8Array {
  return taggedHash('tx/v2', txBytes(tx))
}

export function txId(tx: Tx): Hex {
  return bytesToHex(txDigest(tx))
}

export function signTx(tx: Tx, secretKey: SecretKeyHex): SignedTx {
  return { tx, signature: signBytes(txDigest(tx), secretKey) }
}
