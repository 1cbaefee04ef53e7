// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title SHA-512 (FIPS 180-4) for the EVM, which has no SHA-512 precompile.
/// @notice Ed25519 needs SHA-512(R || A || M); `hashWithPrefix` builds that input without first
/// concatenating it in Solidity. The digest is returned as two words holding its bytes in order
/// (digest[0..31], digest[32..63]).
/// @dev Works on 64-bit words inside 256-bit EVM words. A rotation right by n of a 64-bit x is
/// `(x | x << 64) >> n` masked to 64 bits (the doubled word holds x next to itself). The bits a
/// Sigma leaves above bit 63 only carry upwards in the sums that follow, so one mask per updated
/// register per round is enough (literal masks cost ~12 gas each: the optimizer rebuilds them). Uses memory past the free
/// memory pointer as scratch (never moves it): the padded input, then 80 schedule words, then 80
/// round constants in 32-byte slots 0xa00 bytes above the schedule word they go with.
library Sha512 {
    /// @notice SHA-512 of `data`.
    function hash(bytes memory data) internal pure returns (bytes32 d0, bytes32 d1) {
        return _hash(0, 0, 0, data);
    }

    /// @notice SHA-512 of `p0 || p1 || data` (64 bytes of prefix, then the data).
    function hashWithPrefix(bytes32 p0, bytes32 p1, bytes memory data) internal pure returns (bytes32 d0, bytes32 d1) {
        return _hash(p0, p1, 64, data);
    }

    function _hash(bytes32 p0, bytes32 p1, uint256 prefixLen, bytes memory data) private pure returns (bytes32 d0, bytes32 d1) {
        assembly ("memory-safe") {
            let len := mload(data)
            let total := add(prefixLen, len)
            // Padding: 0x80, zeros, then the bit length as 128 bits: 17 bytes at least.
            let nblocks := shr(7, add(total, 144)) // ceil((total + 17) / 128)
            let buf := mload(0x40)
            let end := add(buf, shl(7, nblocks))
            // Scratch memory may hold old data: zero the tail (it spans < 145 bytes) first, then the
            // length, then the input over it (the input ends at least 17 bytes before `end`).
            let z := sub(end, 160)
            if lt(z, buf) { z := buf }
            for { } lt(z, end) { z := add(z, 32) } { mstore(z, 0) }
            mstore(sub(end, 32), shl(3, total))
            if prefixLen {
                mstore(buf, p0)
                mstore(add(buf, 32), p1)
            }
            mcopy(add(buf, prefixLen), add(data, 32), len)
            mstore8(add(buf, total), 0x80)

            let w := end // 80 schedule words
            let hs := add(w, 0x1400) // the 8 hash words, after the 80 round constants
            {
                // Round constant t lives at w + 0xa00 + 32 t, beside schedule word t.
                let k := add(w, 0xa00)
                mstore(add(k, 0x000), 0x428a2f98d728ae22) mstore(add(k, 0x020), 0x7137449123ef65cd)
                mstore(add(k, 0x040), 0xb5c0fbcfec4d3b2f) mstore(add(k, 0x060), 0xe9b5dba58189dbbc)
                mstore(add(k, 0x080), 0x3956c25bf348b538) mstore(add(k, 0x0a0), 0x59f111f1b605d019)
                mstore(add(k, 0x0c0), 0x923f82a4af194f9b) mstore(add(k, 0x0e0), 0xab1c5ed5da6d8118)
                mstore(add(k, 0x100), 0xd807aa98a3030242) mstore(add(k, 0x120), 0x12835b0145706fbe)
                mstore(add(k, 0x140), 0x243185be4ee4b28c) mstore(add(k, 0x160), 0x550c7dc3d5ffb4e2)
                mstore(add(k, 0x180), 0x72be5d74f27b896f) mstore(add(k, 0x1a0), 0x80deb1fe3b1696b1)
                mstore(add(k, 0x1c0), 0x9bdc06a725c71235) mstore(add(k, 0x1e0), 0xc19bf174cf692694)
                mstore(add(k, 0x200), 0xe49b69c19ef14ad2) mstore(add(k, 0x220), 0xefbe4786384f25e3)
                mstore(add(k, 0x240), 0x0fc19dc68b8cd5b5) mstore(add(k, 0x260), 0x240ca1cc77ac9c65)
                mstore(add(k, 0x280), 0x2de92c6f592b0275) mstore(add(k, 0x2a0), 0x4a7484aa6ea6e483)
                mstore(add(k, 0x2c0), 0x5cb0a9dcbd41fbd4) mstore(add(k, 0x2e0), 0x76f988da831153b5)
                mstore(add(k, 0x300), 0x983e5152ee66dfab) mstore(add(k, 0x320), 0xa831c66d2db43210)
                mstore(add(k, 0x340), 0xb00327c898fb213f) mstore(add(k, 0x360), 0xbf597fc7beef0ee4)
                mstore(add(k, 0x380), 0xc6e00bf33da88fc2) mstore(add(k, 0x3a0), 0xd5a79147930aa725)
                mstore(add(k, 0x3c0), 0x06ca6351e003826f) mstore(add(k, 0x3e0), 0x142929670a0e6e70)
                mstore(add(k, 0x400), 0x27b70a8546d22ffc) mstore(add(k, 0x420), 0x2e1b21385c26c926)
                mstore(add(k, 0x440), 0x4d2c6dfc5ac42aed) mstore(add(k, 0x460), 0x53380d139d95b3df)
                mstore(add(k, 0x480), 0x650a73548baf63de) mstore(add(k, 0x4a0), 0x766a0abb3c77b2a8)
                mstore(add(k, 0x4c0), 0x81c2c92e47edaee6) mstore(add(k, 0x4e0), 0x92722c851482353b)
                mstore(add(k, 0x500), 0xa2bfe8a14cf10364) mstore(add(k, 0x520), 0xa81a664bbc423001)
                mstore(add(k, 0x540), 0xc24b8b70d0f89791) mstore(add(k, 0x560), 0xc76c51a30654be30)
                mstore(add(k, 0x580), 0xd192e819d6ef5218) mstore(add(k, 0x5a0), 0xd69906245565a910)
                mstore(add(k, 0x5c0), 0xf40e35855771202a) mstore(add(k, 0x5e0), 0x106aa07032bbd1b8)
                mstore(add(k, 0x600), 0x19a4c116b8d2d0c8) mstore(add(k, 0x620), 0x1e376c085141ab53)
                mstore(add(k, 0x640), 0x2748774cdf8eeb99) mstore(add(k, 0x660), 0x34b0bcb5e19b48a8)
                mstore(add(k, 0x680), 0x391c0cb3c5c95a63) mstore(add(k, 0x6a0), 0x4ed8aa4ae3418acb)
                mstore(add(k, 0x6c0), 0x5b9cca4f7763e373) mstore(add(k, 0x6e0), 0x682e6ff3d6b2b8a3)
                mstore(add(k, 0x700), 0x748f82ee5defb2fc) mstore(add(k, 0x720), 0x78a5636f43172f60)
                mstore(add(k, 0x740), 0x84c87814a1f0ab72) mstore(add(k, 0x760), 0x8cc702081a6439ec)
                mstore(add(k, 0x780), 0x90befffa23631e28) mstore(add(k, 0x7a0), 0xa4506cebde82bde9)
                mstore(add(k, 0x7c0), 0xbef9a3f7b2c67915) mstore(add(k, 0x7e0), 0xc67178f2e372532b)
                mstore(add(k, 0x800), 0xca273eceea26619c) mstore(add(k, 0x820), 0xd186b8c721c0c207)
                mstore(add(k, 0x840), 0xeada7dd6cde0eb1e) mstore(add(k, 0x860), 0xf57d4f7fee6ed178)
                mstore(add(k, 0x880), 0x06f067aa72176fba) mstore(add(k, 0x8a0), 0x0a637dc5a2c898a6)
                mstore(add(k, 0x8c0), 0x113f9804bef90dae) mstore(add(k, 0x8e0), 0x1b710b35131c471b)
                mstore(add(k, 0x900), 0x28db77f523047d84) mstore(add(k, 0x920), 0x32caab7b40c72493)
                mstore(add(k, 0x940), 0x3c9ebe0a15c9bebc) mstore(add(k, 0x960), 0x431d67c49c100d4c)
                mstore(add(k, 0x980), 0x4cc5d4becb3e42b6) mstore(add(k, 0x9a0), 0x597f299cfc657e2a)
                mstore(add(k, 0x9c0), 0x5fcb6fab3ad6faec) mstore(add(k, 0x9e0), 0x6c44198c4a475817)
            }
            mstore(hs, 0x6a09e667f3bcc908)
            mstore(add(hs, 0x20), 0xbb67ae8584caa73b)
            mstore(add(hs, 0x40), 0x3c6ef372fe94f82b)
            mstore(add(hs, 0x60), 0xa54ff53a5f1d36f1)
            mstore(add(hs, 0x80), 0x510e527fade682d1)
            mstore(add(hs, 0xa0), 0x9b05688c2b3e6c1f)
            mstore(add(hs, 0xc0), 0x1f83d9abfb41bd6b)
            mstore(add(hs, 0xe0), 0x5be0cd19137e2179)

            for { let blk := buf } lt(blk, end) { blk := add(blk, 128) } {
                // Message schedule: 16 big-endian words of the block, then 64 derived ones.
                for { let i := 0 } lt(i, 16) { i := add(i, 1) } {
                    mstore(add(w, shl(5, i)), shr(192, mload(add(blk, shl(3, i)))))
                }
                for { let q := add(w, 0x200) } lt(q, add(w, 0xa00)) { q := add(q, 32) } {
                    let x := mload(sub(q, 0x1e0)) // W[t-15]
                    let xx := or(x, shl(64, x))
                    let s0 := xor(xor(shr(1, xx), shr(8, xx)), shr(7, x))
                    x := mload(sub(q, 0x40)) // W[t-2]
                    xx := or(x, shl(64, x))
                    let s1 := xor(xor(shr(19, xx), shr(61, xx)), shr(6, x))
                    mstore(q, and(add(add(s0, s1), add(mload(sub(q, 0xe0)), mload(sub(q, 0x200)))), 0xffffffffffffffff))
                }

                let a := mload(hs)
                let b := mload(add(hs, 0x20))
                let c := mload(add(hs, 0x40))
                let d := mload(add(hs, 0x60))
                let e := mload(add(hs, 0x80))
                let f := mload(add(hs, 0xa0))
                let g := mload(add(hs, 0xc0))
                let h := mload(add(hs, 0xe0))
                // Eight rounds per iteration with the variables renamed instead of moved: round j
                // updates only the registers playing d and h.
                for { let q := w } lt(q, add(w, 0xa00)) { q := add(q, 0x100) } {
                    {
                        let x := or(e, shl(64, e))
                        let t1 := add(add(h, xor(xor(shr(14, x), shr(18, x)), shr(41, x))), add(xor(g, and(e, xor(f, g))), add(mload(add(q, 0xa00)), mload(q))))
                        d := and(add(d, t1), 0xffffffffffffffff)
                        x := or(a, shl(64, a))
                        h := and(add(t1, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(a, b), and(c, or(a, b))))), 0xffffffffffffffff)
                    }
                    {
                        let x := or(d, shl(64, d))
                        let t1 := add(add(g, xor(xor(shr(14, x), shr(18, x)), shr(41, x))), add(xor(f, and(d, xor(e, f))), add(mload(add(q, 0xa20)), mload(add(q, 0x20)))))
                        c := and(add(c, t1), 0xffffffffffffffff)
                        x := or(h, shl(64, h))
                        g := and(add(t1, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(h, a), and(b, or(h, a))))), 0xffffffffffffffff)
                    }
                    {
                        let x := or(c, shl(64, c))
                        let t1 := add(add(f, xor(xor(shr(14, x), shr(18, x)), shr(41, x))), add(xor(e, and(c, xor(d, e))), add(mload(add(q, 0xa40)), mload(add(q, 0x40)))))
                        b := and(add(b, t1), 0xffffffffffffffff)
                        x := or(g, shl(64, g))
                        f := and(add(t1, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(g, h), and(a, or(g, h))))), 0xffffffffffffffff)
                    }
                    {
                        let x := or(b, shl(64, b))
                        let t1 := add(add(e, xor(xor(shr(14, x), shr(18, x)), shr(41, x))), add(xor(d, and(b, xor(c, d))), add(mload(add(q, 0xa60)), mload(add(q, 0x60)))))
                        a := and(add(a, t1), 0xffffffffffffffff)
                        x := or(f, shl(64, f))
                        e := and(add(t1, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(f, g), and(h, or(f, g))))), 0xffffffffffffffff)
                    }
                    {
                        let x := or(a, shl(64, a))
                        let t1 := add(add(d, xor(xor(shr(14, x), shr(18, x)), shr(41, x))), add(xor(c, and(a, xor(b, c))), add(mload(add(q, 0xa80)), mload(add(q, 0x80)))))
                        h := and(add(h, t1), 0xffffffffffffffff)
                        x := or(e, shl(64, e))
                        d := and(add(t1, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(e, f), and(g, or(e, f))))), 0xffffffffffffffff)
                    }
                    {
                        let x := or(h, shl(64, h))
                        let t1 := add(add(c, xor(xor(shr(14, x), shr(18, x)), shr(41, x))), add(xor(b, and(h, xor(a, b))), add(mload(add(q, 0xaa0)), mload(add(q, 0xa0)))))
                        g := and(add(g, t1), 0xffffffffffffffff)
                        x := or(d, shl(64, d))
                        c := and(add(t1, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(d, e), and(f, or(d, e))))), 0xffffffffffffffff)
                    }
                    {
                        let x := or(g, shl(64, g))
                        let t1 := add(add(b, xor(xor(shr(14, x), shr(18, x)), shr(41, x))), add(xor(a, and(g, xor(h, a))), add(mload(add(q, 0xac0)), mload(add(q, 0xc0)))))
                        f := and(add(f, t1), 0xffffffffffffffff)
                        x := or(c, shl(64, c))
                        b := and(add(t1, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(c, d), and(e, or(c, d))))), 0xffffffffffffffff)
                    }
                    {
                        let x := or(f, shl(64, f))
                        let t1 := add(add(a, xor(xor(shr(14, x), shr(18, x)), shr(41, x))), add(xor(h, and(f, xor(g, h))), add(mload(add(q, 0xae0)), mload(add(q, 0xe0)))))
                        e := and(add(e, t1), 0xffffffffffffffff)
                        x := or(b, shl(64, b))
                        a := and(add(t1, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(b, c), and(d, or(b, c))))), 0xffffffffffffffff)
                    }
                }
                mstore(hs, and(add(mload(hs), a), 0xffffffffffffffff))
                mstore(add(hs, 0x20), and(add(mload(add(hs, 0x20)), b), 0xffffffffffffffff))
                mstore(add(hs, 0x40), and(add(mload(add(hs, 0x40)), c), 0xffffffffffffffff))
                mstore(add(hs, 0x60), and(add(mload(add(hs, 0x60)), d), 0xffffffffffffffff))
                mstore(add(hs, 0x80), and(add(mload(add(hs, 0x80)), e), 0xffffffffffffffff))
                mstore(add(hs, 0xa0), and(add(mload(add(hs, 0xa0)), f), 0xffffffffffffffff))
                mstore(add(hs, 0xc0), and(add(mload(add(hs, 0xc0)), g), 0xffffffffffffffff))
                mstore(add(hs, 0xe0), and(add(mload(add(hs, 0xe0)), h), 0xffffffffffffffff))
            }
            d0 := or(or(shl(192, mload(hs)), shl(128, mload(add(hs, 0x20)))), or(shl(64, mload(add(hs, 0x40))), mload(add(hs, 0x60))))
            d1 := or(or(shl(192, mload(add(hs, 0x80))), shl(128, mload(add(hs, 0xa0)))), or(shl(64, mload(add(hs, 0xc0))), mload(add(hs, 0xe0))))
        }
    }
}
