// The dev oracle: a deterministic, seeded price path per feed and a key derived from the seed.
// Price model: geometric Brownian motion on an hourly grid from 2020-01-01, each step's normal draw
// taken from sha256(seed, feed, step); between grid points the log price is interpolated linearly.
// Floats are fine here (a price model); what it signs is an integer price with `decimals` decimals.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, keyPairFromSecret, signAttestation, utf8ToBytes, type KeyPair, type SignedAttestation } from '../../core/index.ts'

export interface FeedSpec {
  readonly feed: string
  readonly start: number
  /** Annualised volatility. */
  readonly vol: number
  readonly decimals: number
}

export const DEV_FEEDS: readonly FeedSpec[] = [
  { feed: 'BTC-USD', start: 60_000, vol: 0.6, decimals: 2 },
  { feed: 'ETH-USD', start: 3_000, vol: 0.75, decimals: 2 },
]

const ORIGIN = Date.UTC(2020, 0, 1)
const STEP_MS = 3_600_000
const DT = STEP_MS / (365 * 86_400_000)

export class UnknownFeedError extends Error {}

export class DevOracle {
  readonly key: KeyPair
  private readonly paths = new Map<string, number[]>() // cumulative log-returns per grid step

  constructor(readonly seed: string, readonly feeds: readonly FeedSpec[] = DEV_FEEDS) {
    this.key = keyPairFromSecret(bytesToHex(sha256(utf8ToBytes(`otc-dev-oracle/v1:${seed}`))))
  }

  get publicKey(): string {
    return this.key.publicKey
  }

  spec(feed: string): FeedSpec {
    const s = this.feeds.find((f) => f.feed === feed)
    if (!s) throw new UnknownFeedError(`unknown feed ${feed}; known: ${this.feeds.map((f) => f.feed).join(', ')}`)
    return s
  }

  private logReturn(spec: FeedSpec, step: number): number {
    const path = this.paths.get(spec.feed) ?? [0]
    this.paths.set(spec.feed, path)
    while (path.length <= step) {
      const j = path.length - 1
      const h = sha256(utf8ToBytes(`${this.seed}|${spec.feed}|${j}`))
      const u1 = (((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0) / 2 ** 32 + 2 ** -33
      const u2 = (((h[4]! << 24) | (h[5]! << 16) | (h[6]! << 8) | h[7]!) >>> 0) / 2 ** 32
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
      path.push(path[j]! - 0.5 * spec.vol * spec.vol * DT + spec.vol * Math.sqrt(DT) * z)
    }
    return path[step]!
  }

  /** Integer price (with the feed's decimals) at `instant`, deterministic in (seed, feed, instant). */
  price(feed: string, instant: number): bigint {
    const spec = this.spec(feed)
    const t = Math.max(0, instant - ORIGIN) / STEP_MS
    const i = Math.floor(t)
    const frac = t - i
    const lr = this.logReturn(spec, i) * (1 - frac) + this.logReturn(spec, i + 1) * frac
    return BigInt(Math.max(1, Math.round(spec.start * Math.exp(lr) * 10 ** spec.decimals)))
  }

  attest(feed: string, instant: number): SignedAttestation {
    const spec = this.spec(feed)
    return signAttestation({ oracle: this.key.publicKey, feed, instant, price: this.price(feed, instant), decimals: spec.decimals }, this.key.secretKey)
  }
}
