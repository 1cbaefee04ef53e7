// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ed25519} from "./Ed25519.sol";
import {Sha512} from "./Sha512.sol";

/// @notice Test harness: exposes the Ed25519 and Sha512 libraries for the differential test
/// (channel-contract/chain/ed25519.test.ts) and the gas measurement. Not part of the adjudicator.
contract Ed25519Harness {
    struct Case {
        bytes32 pubkey;
        bytes32 r;
        bytes32 s;
        bytes message;
    }

    /// Gas used by one `Ed25519.verify` call, measured with gasleft() around it inside a transaction.
    event Measured(bool ok, uint256 gasUsed);

    function verify(bytes32 pubkey, bytes32 r, bytes32 s, bytes calldata message) external view returns (bool) {
        return Ed25519.verify(pubkey, r, s, message);
    }

    /// One verdict per case, bit i of word i / 256 set when case i verifies.
    function verifyBatch(Case[] calldata cases) external view returns (uint256[] memory bits) {
        bits = new uint256[]((cases.length + 255) / 256);
        for (uint256 i = 0; i < cases.length; i++) {
            uint256 fmp;
            assembly ("memory-safe") {
                fmp := mload(0x40)
            }
            bool ok = Ed25519.verify(cases[i].pubkey, cases[i].r, cases[i].s, cases[i].message);
            // Each case's message copy is garbage afterwards: reuse the memory (keeps cost linear).
            assembly ("memory-safe") {
                mstore(0x40, fmp)
            }
            if (ok) bits[i / 256] |= 1 << (i % 256);
        }
    }

    /// Sends as a transaction to measure `Ed25519.verify` alone (no calldata, ABI decoding or
    /// transaction base cost): the message is copied to memory before the first gasleft().
    function measure(bytes32 pubkey, bytes32 r, bytes32 s, bytes calldata message) external returns (bool ok, uint256 gasUsed) {
        bytes memory m = message;
        uint256 before = gasleft();
        ok = Ed25519.verify(pubkey, r, s, m);
        gasUsed = before - gasleft();
        emit Measured(ok, gasUsed);
    }

    /// `measure` for the bytes32-message overload the adjudicator uses for state digests.
    function measureDigest(bytes32 pubkey, bytes32 r, bytes32 s, bytes32 digest) external returns (bool ok, uint256 gasUsed) {
        uint256 before = gasleft();
        ok = Ed25519.verify(pubkey, r, s, digest);
        gasUsed = before - gasleft();
        emit Measured(ok, gasUsed);
    }

    function sha512(bytes calldata data) external pure returns (bytes32, bytes32) {
        return Sha512.hash(data);
    }

    function sha512WithPrefix(bytes32 p0, bytes32 p1, bytes calldata data) external pure returns (bytes32, bytes32) {
        return Sha512.hashWithPrefix(p0, p1, data);
    }
}
