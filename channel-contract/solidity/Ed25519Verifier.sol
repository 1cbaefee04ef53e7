// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ed25519} from "./Ed25519.sol";

/// @title Ed25519Verifier: the ed25519 library behind one external call
/// @notice Deployed once and shared. It keeps the adjudicator under the 24,576-byte code limit
/// (EIP-170): the verifier's curve code is about a third of a contract's budget.
contract Ed25519Verifier {
    /// @notice core's strict `verifyBytes` for a 32-byte message (core signs 32-byte digests).
    function verify(bytes32 publicKey, bytes32 r, bytes32 s, bytes32 message) external view returns (bool) {
        return Ed25519.verify(publicKey, r, s, message);
    }
}
