// Derives every constant that Ed25519.sol and Sha512.sol embed, from first principles, so they can
// be re-checked: `npx tsx channel-contract/chain/ed25519-tables.ts` prints them, and
// ed25519.test.ts asserts the .sol files contain exactly these values.
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'

export const P = 2n ** 255n - 19n
export const L = 2n ** 252n + 27742317777372353535851937790883648493n
const mod = (a: bigint, m = P): bigint => ((a % m) + m) % m
function pow(b: bigint, e: bigint, m = P): bigint {
  let r = 1n
  b = mod(b, m)
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m
  return r
}
const inv = (a: bigint): bigint => pow(a, P - 2n)
export const D = mod(-121665n * inv(121666n))
export const D2 = mod(2n * D)
export const SQRT_M1 = pow(2n, (P - 1n) / 4n)
export const TWO_256_MOD_L = (2n ** 256n) % L

// Base point, affine (RFC 8032 5.1).
export const BY = mod(4n * inv(5n))
export const BX = (() => {
  const y2 = BY * BY
  let x = pow(mod((y2 - 1n) * inv(D * y2 + 1n)), (P + 3n) / 8n)
  if (mod(x * x - (y2 - 1n) * inv(D * y2 + 1n)) !== 0n) x = mod(x * SQRT_M1)
  return x & 1n ? P - x : x // the base point's x is even
})()

type Affine = { x: bigint; y: bigint }
function addAffine(a: Affine, b: Affine): Affine {
  const t = mod(D * a.x * b.x * a.y * b.y)
  return { x: mod((a.x * b.y + a.y * b.x) * inv(1n + t)), y: mod((a.y * b.y + a.x * b.x) * inv(1n - t)) }
}

/** [j]B for j = 1..15 as (y - x, y + x, 2d*x*y): the affine "Niels" form the mixed addition reads. */
export function baseTable(): bigint[][] {
  const out: bigint[][] = []
  let q: Affine = { x: BX, y: BY }
  for (let j = 1; j <= 15; j++) {
    out.push([mod(q.y - q.x), mod(q.y + q.x), mod(D2 * q.x * q.y)])
    q = addAffine(q, { x: BX, y: BY })
  }
  return out
}

function icbrt(n: bigint): bigint {
  let lo = 0n
  let hi = 1n << 100n
  while (lo < hi) {
    const m = (lo + hi + 1n) >> 1n
    if (m * m * m <= n) lo = m
    else hi = m - 1n
  }
  return lo
}
function isqrt(n: bigint): bigint {
  let lo = 0n
  let hi = 1n << 100n
  while (lo < hi) {
    const m = (lo + hi + 1n) >> 1n
    if (m * m <= n) lo = m
    else hi = m - 1n
  }
  return lo
}
function primes(n: number): bigint[] {
  const out: bigint[] = []
  for (let c = 2n; out.length < n; c++) if (out.every((q) => c % q !== 0n)) out.push(c)
  return out
}
const M64 = (1n << 64n) - 1n
/** SHA-512 round constants: first 64 fractional bits of the cube roots of the first 80 primes. */
export const SHA512_K = primes(80).map((q) => icbrt(q << 192n) & M64)
/** SHA-512 initial hash: first 64 fractional bits of the square roots of the first 8 primes. */
export const SHA512_IV = primes(8).map((q) => isqrt(q << 128n) & M64)

const hex = (n: bigint, bytes = 32): string => `0x${n.toString(16).padStart(bytes * 2, '0')}`

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log('D2', hex(D2))
  console.log('SQRT_M1', hex(SQRT_M1))
  console.log('TWO_256_MOD_L', hex(TWO_256_MOD_L))
  console.log('B', hex(BX), hex(BY))
  console.log('base table (y-x, y+x, 2dxy) for 1B..15B:')
  for (const row of baseTable()) for (const v of row) console.log(hex(v))
  console.log('SHA-512 K packed 4 per word:')
  for (let i = 0; i < 80; i += 4) console.log(`0x${SHA512_K.slice(i, i + 4).map((k) => k.toString(16).padStart(16, '0')).join('')}`)
  console.log('SHA-512 IV:', SHA512_IV.map((v) => hex(v, 8)).join(' '))
}
