// The objects behind the committed known-answer vectors (vectors/encoding.json). If the encoding
// of any of them changes, the vector test fails: a byte change is a protocol version change.
import { encode, type DomainTag } from '../encoding.ts'
import { encodeChannelParams } from '../channel.ts'
import { encodeState } from '../state.ts'
import { encodeQuote } from '../quote.ts'
import { encodeAttestation } from '../attestation.ts'
import { applyTransition } from '../transition.ts'
import { encodeRelease } from '../release.ts'
import { EXPIRY, T0, btcPackage, call, put, testAttestation, testChannel, testQuote, usd } from '../testkit.ts'

export interface VectorObject {
  readonly name: string
  readonly tag: DomainTag
  readonly bytes: Uint8Array
}

export function vectorObjects(): VectorObject[] {
  const ch = testChannel()
  const terms = btcPackage(ch.oracle.publicKey, [put(60_000, 1), call(70_000, 0.5, 80_000, 'short')])
  const quote = testQuote(ch, 'B', terms, { rfqId: 'rfq-1', nonce: 42n })
  const traded = applyTransition(ch.params, ch.genesis, { type: 'trade', quote, timestamp: T0 + 1000 })
  const att = testAttestation(ch, usd(58_123.45))
  const settled = applyTransition(ch.params, traded, { type: 'settle', settlements: [{ positionId: traded.positions[0]!.id, attestation: att }], timestamp: EXPIRY }, 5)
  return [
    { name: 'channel params', tag: 'channel/v2', bytes: encode((w) => encodeChannelParams(w, ch.params)) },
    { name: 'opening state', tag: 'state/v2', bytes: encode((w) => encodeState(w, ch.genesis)) },
    { name: 'state after a two-leg trade', tag: 'state/v2', bytes: encode((w) => encodeState(w, traded)) },
    { name: 'state after settlement (version 5)', tag: 'state/v2', bytes: encode((w) => encodeState(w, settled)) },
    { name: 'quote', tag: 'quote/v2', bytes: encode((w) => encodeQuote(w, quote.quote)) },
    { name: 'attestation', tag: 'price/v2', bytes: encode((w) => encodeAttestation(w, att.attestation)) },
    { name: 'release of an unopened channel', tag: 'release/v2', bytes: encode((w) => encodeRelease(w, { channelId: ch.channelId, party: 'A', at: T0 })) },
  ]
}
