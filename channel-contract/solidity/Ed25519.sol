// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Sha512} from "./Sha512.sol";

/// @title Ed25519 signature verification with exactly core's strict rule.
/// @notice core/identity.ts `verifyBytes` = noble-ed25519 `verify(sig, msg, pk, { zip215: false })`:
///  - S (little-endian) must be < L;
///  - A and R must be canonical encodings: y < p, a square root must exist, and x = 0 with the
///    sign bit set is rejected;
///  - A must not be of small order ([8]A != identity; keys with a torsion component are allowed);
///  - k = SHA-512(R || A || M) mod L, over the bytes as given;
///  - the cofactored equation [8]([S]B - [k]A - R) == identity (noble's `clearCofactor().is0()`).
/// Signature and key are passed as their raw 32-byte encodings (sig = r || s), exactly the bytes
/// core signs and sends.
/// @dev Field arithmetic is mulmod/addmod modulo p = 2^255 - 19 on extended twisted Edwards
/// coordinates (complete formulas, so torsion points and the identity need no special cases).
/// [S]B - [k]A is one Straus loop over 64 windows of 4 bits: 256 doublings shared by both scalars,
/// one addition per non-zero window of each, from a runtime table of [j](-A) and a constant table
/// of [j]B (j = 1..15; constants derived in channel-contract/chain/ed25519-tables.ts and checked by
/// ed25519.test.ts). Square roots use the MODEXP precompile. Everything lives in memory past the
/// free memory pointer (never moved). Reverts only if the MODEXP call fails (out of gas).
/// Gas: ~172k per verify of a 32-byte message (prague; measured by chain/ed25519-gas.ts).
library Ed25519 {
    uint256 private constant P = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed;
    uint256 private constant L = 0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed;

    /// @notice Verifies `sig = r || s` by `pubkey` over `message`; never reverts on bad input.
    function verify(bytes32 pubkey, bytes32 r, bytes32 s, bytes memory message) internal view returns (bool) {
        uint256 sc = _le(s);
        if (sc >= L) return false;
        (bool okA, uint256 ax, uint256 ay) = _decompress(pubkey);
        if (!okA) return false;
        (bool okR, uint256 rx, uint256 ry) = _decompress(r);
        if (!okR) return false;
        if (_isSmallOrder(ax, ay)) return false;
        (bytes32 h0, bytes32 h1) = Sha512.hashWithPrefix(r, pubkey, message);
        // k = the 64-byte digest read little-endian, mod L; 2^256 mod L folds the upper half.
        uint256 k = addmod(mulmod(_le(h1), 0x0ffffffffffffffffffffffffffffffec6ef5bf4737dcf70d6ec31748d98951d, L), _le(h0), L);
        return _cofactoredEquation(sc, k, ax, ay, rx, ry);
    }

    /// @notice `verify` for a 32-byte message (core signs 32-byte tagged digests).
    function verify(bytes32 pubkey, bytes32 r, bytes32 s, bytes32 message) internal view returns (bool) {
        return verify(pubkey, r, s, abi.encodePacked(message));
    }

    /// The integer whose little-endian encoding is `b` (byte reversal).
    function _le(bytes32 b) private pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := b
            v := or(shr(8, and(v, 0xff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00)), shl(8, and(v, 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff)))
            v := or(shr(16, and(v, 0xffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000)), shl(16, and(v, 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff)))
            v := or(shr(32, and(v, 0xffffffff00000000ffffffff00000000ffffffff00000000ffffffff00000000)), shl(32, and(v, 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff)))
            v := or(shr(64, and(v, 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000)), shl(64, and(v, 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff)))
            v := or(shr(128, v), shl(128, v))
        }
    }

    /// RFC 8032 5.1.3 point decoding, strict (noble `Point.fromBytes(bytes, false)`).
    function _decompress(bytes32 enc) private view returns (bool ok, uint256 x, uint256 y) {
        uint256 v = _le(enc);
        assembly ("memory-safe") {
            let p := P
            let sign := shr(255, v)
            y := and(v, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
            if lt(y, p) {
                let y2 := mulmod(y, y, p)
                let u := addmod(y2, sub(p, 1), p) // y^2 - 1
                // w = d y^2 + 1 (never 0: -1/d is not a square)
                let w := addmod(mulmod(0x52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3, y2, p), 1, p)
                let w3 := mulmod(mulmod(w, w, p), w, p)
                // x = u w^3 (u w^7)^((p-5)/8)
                let m := mload(0x40)
                mstore(m, 32)
                mstore(add(m, 0x20), 32)
                mstore(add(m, 0x40), 32)
                mstore(add(m, 0x60), mulmod(u, mulmod(mulmod(w3, w3, p), w, p), p))
                mstore(add(m, 0x80), 0x0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd)
                mstore(add(m, 0xa0), p)
                if iszero(staticcall(gas(), 0x05, m, 0xc0, m, 0x20)) { revert(0, 0) }
                x := mulmod(mulmod(u, w3, p), mload(m), p)
                let wx2 := mulmod(w, mulmod(x, x, p), p)
                ok := eq(wx2, u)
                if iszero(ok) {
                    // w x^2 = -u: the root is x * sqrt(-1); anything else: not a square
                    if eq(wx2, sub(p, u)) {
                        ok := 1
                        x := mulmod(x, 0x2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0, p)
                    }
                }
                if and(iszero(x), sign) { ok := 0 } // x = 0 has one encoding, sign bit clear
                if iszero(eq(and(x, 1), sign)) { x := sub(p, x) } // x != 0 here (or ok is false)
            }
        }
    }

    /// [8]A == identity (noble `isSmallOrder`), for a decoded point A = (x, y).
    function _isSmallOrder(uint256 x, uint256 y) private pure returns (bool small) {
        assembly ("memory-safe") {
            let p := P
            let z := 1
            for { let i := 0 } lt(i, 3) { i := add(i, 1) } {
                // dbl-2008-hwcd with a = -1, without T
                let a := mulmod(x, x, p)
                let b := mulmod(y, y, p)
                let c := mulmod(z, z, p)
                c := addmod(c, c, p)
                let e := addmod(x, y, p)
                e := addmod(mulmod(e, e, p), sub(p, addmod(a, b, p)), p) // 2xy
                let g := addmod(b, sub(p, a), p) // B - A
                let f := addmod(g, sub(p, c), p) // G - C
                let h := sub(p, addmod(a, b, p)) // -A - B, in (0, p]
                x := mulmod(e, f, p)
                y := mulmod(g, h, p)
                z := mulmod(f, g, p)
            }
            small := and(iszero(x), eq(y, z))
        }
    }

    /// [8]([S]B - [k]A - R) == identity.
    function _cofactoredEquation(uint256 sc, uint256 k, uint256 ax, uint256 ay, uint256 rx, uint256 ry)
        private
        pure
        returns (bool ok)
    {
        assembly ("memory-safe") {
            // Point doubling in extended coordinates, a = -1 (dbl-2008-hwcd with E = 2XY):
            // X3 = E F, Y3 = G H, Z3 = F G, T3 = E H. T is only needed before an addition.
            function dbl(x, y, z) -> x3, y3, z3 {
                let p := 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed
                {
                    let a := mulmod(x, x, p)
                    let b := mulmod(y, y, p)
                    x := mulmod(add(x, x), y, p) // E = 2XY
                    y := addmod(b, sub(p, a), p) // G = B - A
                    a := sub(p, addmod(a, b, p)) // H = -(A + B), in (0, p]
                    b := addmod(y, sub(p, mulmod(add(z, z), z, p)), p) // F = G - 2Z^2
                    x := mulmod(x, b, p)
                    z := mulmod(b, y, p)
                    y := mulmod(y, a, p)
                }
                x3 := x
                y3 := y
                z3 := z
            }
            // Addition of a cached point q = (Y - X, Y + X, 2d T, 2 Z) (add-2008-hwcd-3, a = -1).
            function addC(x, y, z, t, q) -> x3, y3, z3, t3 {
                let p := 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed
                x3 := mulmod(addmod(y, sub(p, x), p), mload(q), p) // A
                y3 := mulmod(addmod(y, x, p), mload(add(q, 0x20)), p) // B
                t3 := mulmod(t, mload(add(q, 0x40)), p) // C
                z3 := mulmod(z, mload(add(q, 0x60)), p) // D
                x := addmod(y3, sub(p, x3), p) // E = B - A
                y := addmod(y3, x3, p) // H = B + A
                z := addmod(z3, sub(p, t3), p) // F = D - C
                t := addmod(z3, t3, p) // G = D + C
                x3 := mulmod(x, z, p)
                y3 := mulmod(t, y, p)
                t3 := mulmod(x, y, p)
                z3 := mulmod(z, t, p)
            }
            // Addition of an affine point q = (y - x, y + x, 2d x y) (Z2 = 1: one multiplication less).
            function addA(x, y, z, t, q) -> x3, y3, z3, t3 {
                let p := 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed
                x3 := mulmod(addmod(y, sub(p, x), p), mload(q), p) // A
                y3 := mulmod(addmod(y, x, p), mload(add(q, 0x20)), p) // B
                t3 := mulmod(t, mload(add(q, 0x40)), p) // C
                z3 := addmod(z, z, p) // D
                x := addmod(y3, sub(p, x3), p) // E
                y := addmod(y3, x3, p) // H
                z := addmod(z3, sub(p, t3), p) // F
                t := addmod(z3, t3, p) // G
                x3 := mulmod(x, z, p)
                y3 := mulmod(t, y, p)
                t3 := mulmod(x, y, p)
                z3 := mulmod(z, t, p)
            }

            // [j](-A) for j = 1..15 in cached form at tA (0x80 bytes each); entry 1 is
            // (-ax, ay, 1, -ax ay).
            function tableOfMinusA(tA, px, py) {
                let p := 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed
                let x := mod(sub(p, px), p)
                let t := mulmod(x, py, p)
                mstore(tA, addmod(py, sub(p, x), p))
                mstore(add(tA, 0x20), addmod(py, x, p))
                mstore(add(tA, 0x40), mulmod(0x2406d9dc56dffce7198e80f2eef3d13000e0149a8283b156ebd69b9426b2f159, t, p))
                mstore(add(tA, 0x60), 2)
                let y := py
                let z := 1
                for { let q := add(tA, 0x80) } lt(q, add(tA, 0x780)) { q := add(q, 0x80) } {
                    x, y, z, t := addC(x, y, z, t, tA)
                    mstore(q, addmod(y, sub(p, x), p))
                    mstore(add(q, 0x20), addmod(y, x, p))
                    mstore(add(q, 0x40), mulmod(0x2406d9dc56dffce7198e80f2eef3d13000e0149a8283b156ebd69b9426b2f159, t, p))
                    mstore(add(q, 0x60), addmod(z, z, p))
                }
            }
            // [s1]B + [s2](-A): Straus over 64 windows of 4 bits, from bit 252 down. The additions
            // (add-2008-hwcd-3 with a = -1, as addC/addA above) are written out in the loop: a call
            // costs about a third of an addition in argument and result shuffling.
            function straus(s1, s2, tA) -> x, y, z, t {
                let p := 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed
                y := 1
                z := 1
                for { let i := 256 } i { } {
                    i := sub(i, 4)
                    // four doublings (dbl above), T from the last one
                    {
                        let a := mulmod(x, x, p)
                        let b := mulmod(y, y, p)
                        x := mulmod(add(x, x), y, p) // E = 2XY
                        y := addmod(b, sub(p, a), p) // G = B - A
                        a := sub(p, addmod(a, b, p)) // H = -(A + B), in (0, p]
                        b := addmod(y, sub(p, mulmod(add(z, z), z, p)), p) // F = G - 2Z^2
                        x := mulmod(x, b, p)
                        z := mulmod(b, y, p)
                        y := mulmod(y, a, p)
                    }
                    {
                        let a := mulmod(x, x, p)
                        let b := mulmod(y, y, p)
                        x := mulmod(add(x, x), y, p) // E = 2XY
                        y := addmod(b, sub(p, a), p) // G = B - A
                        a := sub(p, addmod(a, b, p)) // H = -(A + B), in (0, p]
                        b := addmod(y, sub(p, mulmod(add(z, z), z, p)), p) // F = G - 2Z^2
                        x := mulmod(x, b, p)
                        z := mulmod(b, y, p)
                        y := mulmod(y, a, p)
                    }
                    {
                        let a := mulmod(x, x, p)
                        let b := mulmod(y, y, p)
                        x := mulmod(add(x, x), y, p) // E = 2XY
                        y := addmod(b, sub(p, a), p) // G = B - A
                        a := sub(p, addmod(a, b, p)) // H = -(A + B), in (0, p]
                        b := addmod(y, sub(p, mulmod(add(z, z), z, p)), p) // F = G - 2Z^2
                        x := mulmod(x, b, p)
                        z := mulmod(b, y, p)
                        y := mulmod(y, a, p)
                    }
                    {
                        let a := mulmod(x, x, p)
                        let b := mulmod(y, y, p)
                        t := mulmod(add(x, x), y, p) // E
                        y := addmod(b, sub(p, a), p) // G
                        a := sub(p, addmod(a, b, p)) // H
                        b := addmod(y, sub(p, mulmod(add(z, z), z, p)), p) // F
                        x := mulmod(t, b, p)
                        t := mulmod(t, a, p)
                        z := mulmod(b, y, p)
                        y := mulmod(y, a, p)
                    }
                    let q := and(shr(i, s2), 15)
                    if q {
                        q := add(tA, shl(7, sub(q, 1))) // cached [q](-A)
                        let a := mulmod(addmod(y, sub(p, x), p), mload(q), p) // A
                        let b := mulmod(addmod(y, x, p), mload(add(q, 0x20)), p) // B
                        t := mulmod(t, mload(add(q, 0x40)), p) // C
                        z := mulmod(z, mload(add(q, 0x60)), p) // D
                        x := addmod(b, sub(p, a), p) // E = B - A
                        y := addmod(b, a, p) // H = B + A
                        b := addmod(z, sub(p, t), p) // F = D - C
                        a := addmod(z, t, p) // G = D + C
                        t := mulmod(x, y, p) // T3 = E H
                        x := mulmod(x, b, p) // X3 = E F
                        y := mulmod(a, y, p) // Y3 = G H
                        z := mulmod(b, a, p) // Z3 = F G
                    }
                    q := and(shr(i, s1), 15)
                    if q {
                        q := add(add(tA, 0x780), mul(0x60, sub(q, 1))) // affine [q]B
                        let a := mulmod(addmod(y, sub(p, x), p), mload(q), p) // A
                        let b := mulmod(addmod(y, x, p), mload(add(q, 0x20)), p) // B
                        t := mulmod(t, mload(add(q, 0x40)), p) // C
                        z := addmod(z, z, p) // D = 2 Z
                        x := addmod(b, sub(p, a), p) // E = B - A
                        y := addmod(b, a, p) // H = B + A
                        b := addmod(z, sub(p, t), p) // F = D - C
                        a := addmod(z, t, p) // G = D + C
                        t := mulmod(x, y, p) // T3 = E H
                        x := mulmod(x, b, p) // X3 = E F
                        y := mulmod(a, y, p) // Y3 = G H
                        z := mulmod(b, a, p) // Z3 = F G
                    }
                }
            }

            let tA := mload(0x40)
            let tB := add(tA, 0x780) // [j]B affine Niels (y - x, y + x, 2d x y), j = 1..15, 0x60 bytes each
            tableOfMinusA(tA, ax, ay)
            mstore(tB, 0x44fd2f9298f81267a5c18434688f8a09fd399f05d140beb39d103905d740913e)
            mstore(add(tB, 0x20), 0x07cf9d3a33d4ba65270b4898643d42c2cf932dc6fb8c0e192fbc93c6f58c3b85)
            mstore(add(tB, 0x40), 0x6f117b689f0c65a85a1b7dcbdd43598c26d9e823ccaac49eabc91205877aaa68)
            mstore(add(tB, 0x60), 0x6bb595a669c92555e09e236bb16e37aa8f2b810c4e60acf68a99a56042b4d5a8)
            mstore(add(tB, 0x80), 0x590c063fa87d2e2e5aa69a65e1d607029f469d967a0ff5b59224e7fc933c71d7)
            mstore(add(tB, 0xa0), 0x701af5b13ea50b73500fa0840b3d6a3136c16bdd5d9acf7843faa8b3a59b7a5f)
            mstore(add(tB, 0xc0), 0x2ab91587555bda628131f31a214bd6bd3bd353fde5c1ba7d56611fe8a4fcd265)
            mstore(add(tB, 0xe0), 0x7a164e1b9a80f8f4c11b50029f016732025a8430e8864b8aaf25b0a84cee9730)
            mstore(add(tB, 0x100), 0x5a2826af12b9b4c6d170e5458cf2db4c589423221c35da6214ae933f0dd0d889)
            mstore(add(tB, 0x120), 0x27933f4c7445a49ac3e8e3cd06a05073327e89715660faa995fe050a056818bf)
            mstore(add(tB, 0x140), 0x680e910321e58727ca348d3dfb0a92656765c6f47dfd2538287351b98efc099f)
            mstore(add(tB, 0x160), 0x7f9d0cbf63553e2b5ddbdcf9102b44946e9e39457b5cc1725a13fbe9c476ff09)
            mstore(add(tB, 0x180), 0x154a7e73eb1b55f3e33cf11cb864a087d50014d14b2729b77f9182c3a447d6ba)
            mstore(add(tB, 0x1a0), 0x2945ccf146e206ebdd1beb0c5abfec448d5048c3c75eed02a212bc4408a5bb33)
            mstore(add(tB, 0x1c0), 0x43aabe696b3bb69ab41b670b1bbda72d270e0807d0bdd1fcbcbbdbf1812a8285)
            mstore(add(tB, 0x1e0), 0x38b64c41ae417884bb085ce7204553b9575be28427d22739499806b67b7d8ca4)
            mstore(add(tB, 0x200), 0x51e57bb6a2cc38bd8065b668da59a7369b27158900c8af883a0ceeeb77157131)
            mstore(add(tB, 0x220), 0x10b8e91a9f0d61e353e4a24b083bc144be70e00341a1bb0185ac326702ea4b71)
            mstore(add(tB, 0x240), 0x1d6edd5d2e5317e09dea764f92192c3a6ca021533bba23a7ba6f2c9aaa3221b1)
            mstore(add(tB, 0x260), 0x461bea69283c927e71b2528228542e497470353ab39dc0d26b1a5cd0944ea3bf)
            mstore(add(tB, 0x280), 0x7a9fbb1c6a0f90a7529c41ba5877adf3b3035f47053ea49af1836dc801b8b3a2)
            mstore(add(tB, 0x2a0), 0x3a9024a1320e01c32c2741ac6e3c23fb963d7680e1b558f9e2a75dedf39234d9)
            mstore(add(tB, 0x2c0), 0x0915e76061bce52fb1339c665ed9c3236cb30377e288702c59b7596604dd3e8f)
            mstore(add(tB, 0x2e0), 0x26907c5c2ecc4e95636412190eb62a32b8a371788bcca7d7e7c1f5d9c9a2911a)
            mstore(add(tB, 0x300), 0x49c05a51fadc9c8f96cbc608e75eb04498a081b6f520419bf36e217e039d8064)
            mstore(add(tB, 0x320), 0x34b9ed338add7f59ceb233c9c686f5b5a6509e6f51bc46c59b2e678aa6a8632f)
            mstore(add(tB, 0x340), 0x73c172021b008b06aaf6fc2993d4cf16e2ff83e8a719d22f06b4e8bf9045af1b)
            mstore(add(tB, 0x360), 0x0353832c4950b70284739745f5dc395804f8183665a9f02f75f3558e227081dd)
            mstore(add(tB, 0x380), 0x43ac7628aae591ed0d5503639b55464645f534d41617e057ff1d93d2b360748e)
            mstore(add(tB, 0x3a0), 0x0ec62af470bf4ce7ff169f0f6731b5091d0c1ccbd3f06340d03d2ae403d0f8d8)
            mstore(add(tB, 0x3c0), 0x18ab598029d5c77fa3a075556a8deb953ed6b36977088381315f5b0249864348)
            mstore(add(tB, 0x3e0), 0x4275aae2546d8faf113e847117703406e5d9fecf02302e272fbf00848a802ade)
            mstore(add(tB, 0x400), 0x3dc65522b53df94844311199b51a8622031eb4a13282e4a4d82b2cc5fd6089e9)
            mstore(add(tB, 0x420), 0x7956ece28a6022ed884dfb6e56d5dbdd23b2bf90ccb25b24856f8375b53d54b9)
            mstore(add(tB, 0x440), 0x078aafde8d3cdd5845ecdd2e701a6f9388de3dd7d834d1a9e2358042a71e7539)
            mstore(add(tB, 0x460), 0x37c6a5151c83d0c6ffcb589af4976461f66cda23a24e180beea594d87f944553)
            mstore(add(tB, 0x480), 0x0267882d176024a79d12b232aaad5968aefcebc99b776f6b506f013b327fbf93)
            mstore(add(tB, 0x4a0), 0x234fd7eec346f241537a0e12fb07ba07bf84b39ab5bcdedbbf70c222a2007f6d)
            mstore(add(tB, 0x4c0), 0x497ba6fdaa097863a2ef37f891a7e5332437e6b1df8dd4715360a119732ea378)
            mstore(add(tB, 0x4e0), 0x2df0ea2c5b3c80d2112e56f16eec47a9ce69b20fdb7ca331dfdb8a44d4171280)
            mstore(add(tB, 0x500), 0x6eaf60b2464d16301a474c042881bdd580277fc057efa98726f870ec3f213df2)
            mstore(add(tB, 0x520), 0x24bf7e3cd8ba9c939c1fdf703ecb1baaf02397eda2a9bf5496a1c5877a1e1b82)
            mstore(add(tB, 0x540), 0x43b5cd4218d05ebf7508300807b25192d3829ba42a9910d6040bcd86468ccf0b)
            mstore(add(tB, 0x560), 0x61e22917f12de72b2dbdbdfac1f2d4d08648c28d189c246d24cecc0313cfeaa0)
            mstore(add(tB, 0x580), 0x511d61210ae4d842032e5a7d93d64270eb38af4e373fdeee5d9a762f9bd0b516)

            let x, y, z, t := straus(sc, k, tA)
            // - R, as an affine point (-rx, ry): (ry + rx, ry - rx, -2d rx ry).
            mstore(tA, addmod(ry, rx, P))
            mstore(add(tA, 0x20), addmod(ry, sub(P, rx), P))
            mstore(add(tA, 0x40), mod(sub(P, mulmod(0x2406d9dc56dffce7198e80f2eef3d13000e0149a8283b156ebd69b9426b2f159, mulmod(rx, ry, P), P)), P))
            x, y, z, t := addA(x, y, z, t, tA)
            x, y, z := dbl(x, y, z)
            x, y, z := dbl(x, y, z)
            x, y, z := dbl(x, y, z)
            ok := and(iszero(x), eq(y, z))
        }
    }
}
