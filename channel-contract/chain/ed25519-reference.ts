// A plain, readable model of what channel-contract/solidity/Ed25519.sol computes, step for step and
// formula for formula, in bigint arithmetic: the reference beside the hand-written assembly.
// ed25519.test.ts holds it to core's `verifyBytes` on the same vectors as the contract, so a reader
// can study the algorithm here and trust that the assembly (held to the same verdicts) follows it.
import { sha512 } from '@noble/hashes/sha2.js'
import { baseTable, D, D2, L, P, SQRT_M1 } from './ed25519-tables.ts'

const mod = (a: bigint): bigint => {
  const r = a % P
  return r < 0n ? r + P : r
}
function pow(b: bigint, e: bigint): bigint {
  let r = 1n
  for (b = mod(b); e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P
  return r
}
const le = (b: Uint8Array): bigint => b.reduceRight((acc, byte) => (acc << 8n) | BigInt(byte), 0n)

/** Extended coordinates: x = X/Z, y = Y/Z, T = XY/Z. */
type Ext = { X: bigint; Y: bigint; Z: bigint; T: bigint }
/** Cached form of a point for additions: (Y - X, Y + X, 2d T, 2 Z). */
type Cached = [bigint, bigint, bigint, bigint]

/** RFC 8032 5.1.3, strict: y < p, a square root exists, x = 0 only with the sign bit clear. */
export function decompress(enc: Uint8Array): { x: bigint; y: bigint } | null {
  const v = le(enc)
  const sign = v >> 255n
  const y = v & ((1n << 255n) - 1n)
  if (y >= P) return null
  const u = mod(y * y - 1n)
  const w = mod(D * y * y + 1n)
  const w3 = mod(w * w * w)
  let x = mod(u * w3 * pow(u * w3 * w3 * w, (P - 5n) / 8n)) // the contract uses MODEXP here
  const wx2 = mod(w * x * x)
  if (wx2 !== u) {
    if (wx2 !== mod(-u)) return null
    x = mod(x * SQRT_M1)
  }
  if (x === 0n && sign === 1n) return null
  if ((x & 1n) !== sign) x = mod(-x)
  return { x, y }
}

/** dbl-2008-hwcd for a = -1, with E = 2XY and F = G - 2Z^2. */
function dbl({ X, Y, Z }: Ext): Ext {
  const A = mod(X * X)
  const B = mod(Y * Y)
  const E = mod(2n * X * Y)
  const G = mod(B - A)
  const H = mod(-(A + B))
  const F = mod(G - 2n * Z * Z)
  return { X: mod(E * F), Y: mod(G * H), Z: mod(F * G), T: mod(E * H) }
}

/** add-2008-hwcd-3 for a = -1, the second point in cached form. */
function add({ X, Y, Z, T }: Ext, [ymx, ypx, t2d, z2]: Cached): Ext {
  const A = mod((Y - X) * ymx)
  const B = mod((Y + X) * ypx)
  const C = mod(T * t2d)
  const Dd = mod(Z * z2)
  const E = mod(B - A)
  const F = mod(Dd - C)
  const G = mod(Dd + C)
  const H = mod(B + A)
  return { X: mod(E * F), Y: mod(G * H), Z: mod(F * G), T: mod(E * H) }
}

const cached = ({ X, Y, Z, T }: Ext): Cached => [mod(Y - X), mod(Y + X), mod(D2 * T), mod(2n * Z)]
const affine = (x: bigint, y: bigint): Ext => ({ X: x, Y: y, Z: 1n, T: mod(x * y) })
const isIdentity = ({ X, Y, Z }: Ext): boolean => X === 0n && Y === Z
const IDENTITY: Ext = { X: 0n, Y: 1n, Z: 1n, T: 0n }
const tableB: Cached[] = baseTable().map(([ymx, ypx, t2d]) => [ymx!, ypx!, t2d!, 2n])

/** The contract's decision for `sig = R || S` by key `pk` over `m`. */
export function referenceVerify(pk: Uint8Array, sig: Uint8Array, m: Uint8Array): boolean {
  const S = le(sig.subarray(32, 64))
  if (S >= L) return false
  const A = decompress(pk)
  if (!A) return false
  const R = decompress(sig.subarray(0, 32))
  if (!R) return false
  // small-order key: [8]A is the identity
  if (isIdentity(dbl(dbl(dbl(affine(A.x, A.y)))))) return false
  const k = le(sha512(new Uint8Array([...sig.subarray(0, 32), ...pk, ...m]))) % L

  // [j](-A) for j = 1..15 at run time; [j]B for j = 1..15 (tableB) is a constant table
  const minusA = affine(mod(-A.x), A.y)
  const tableA: Cached[] = []
  for (let j = 1, q = minusA; j <= 15; j++, q = add(q, cached(minusA))) tableA.push(cached(q))

  // Straus: 64 windows of 4 bits from the top, four doublings then one addition per scalar
  let acc = IDENTITY
  for (let i = 252n; i >= 0n; i -= 4n) {
    acc = dbl(dbl(dbl(dbl(acc))))
    const da = Number((k >> i) & 15n)
    if (da) acc = add(acc, tableA[da - 1]!)
    const db = Number((S >> i) & 15n)
    if (db) acc = add(acc, tableB[db - 1]!)
  }
  // - R, then the cofactor: [8]([S]B - [k]A - R) must be the identity
  acc = add(acc, cached(affine(mod(-R.x), R.y)))
  return isIdentity(dbl(dbl(dbl(acc))))
}
