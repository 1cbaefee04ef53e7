// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title StateCodec
/// @notice Reads core's canonical byte encoding (core/state.ts `encodeState`, core/terms.ts
/// `encodePackage`, core/attestation.ts `encodeAttestation`) from calldata, and recomputes core's
/// domain-separated digests: H(tag, bytes) = sha256(u8 len(tag) || tag || bytes).
/// Integers are big-endian and fixed width (u8, u32, u64, u128, i128 two's complement); strings and
/// lists carry a u32 length prefix. `core/vectors/encoding.json` pins the bytes; the differential
/// tests hold this reader to core's encoder.
library StateCodec {
    /// @notice The bytes end early, run past their end, or hold a value core never writes.
    error INVALID_FIELD(string field);

    uint256 internal constant MAX_LEGS = 8;
    uint256 internal constant MAX_POSITIONS = 32;

    /// @dev The parts of a state the contract acts on. Positions stay in calldata: `positionsAt` is
    /// the offset of the first one, and every position is walked once to find the end.
    struct State {
        bytes32 contractId;
        bytes32 channelId;
        uint64 version;
        bytes32 prevHash;
        uint128 deposited;
        uint128 balanceA;
        uint128 balanceB;
        uint256 positionsAt;
        uint256 positionCount;
        /// Sum of every position's lockA + lockB.
        uint256 locked;
        uint256 usedQuoteCount;
        uint64 settledCount;
        int128 settledNetToA;
        bytes32 settledDigest;
        bool isFinal;
    }

    struct Leg {
        bool isCall;
        uint128 strike;
        bool hasCap;
        uint128 cap;
        uint128 quantity;
        bool isLong;
    }

    /// @dev A position as core encodes it. `feedHash` is keccak256 of the feed's UTF-8 bytes.
    struct Position {
        bytes32 id;
        bool buyerIsA;
        bytes32 feedHash;
        uint8 priceDecimals;
        uint8 quantityDecimals;
        uint8 assetDecimals;
        uint64 expiry;
        bytes32 oracle;
        Leg[] legs;
        uint128 premium;
        uint128 lockA;
        uint128 lockB;
    }

    // ---- digests ----

    /// @notice H("state/v2", state): the digest both parties sign with ed25519.
    function stateDigest(bytes calldata state) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(uint8(8), "state/v2", state));
    }

    /// @notice H("price/v2", attestation bytes): the digest the oracle signs.
    function attestationDigest(bytes32 oracle, string calldata feed, uint64 instant, uint128 price, uint8 decimals)
        internal
        pure
        returns (bytes32)
    {
        return sha256(
            abi.encodePacked(uint8(8), "price/v2", oracle, uint32(bytes(feed).length), feed, instant, price, decimals)
        );
    }

    // ---- primitive reads (bounds-checked; `off` is an offset into `b`) ----

    function _need(bytes calldata b, uint256 off, uint256 n, string memory field) private pure {
        if (off + n > b.length) revert INVALID_FIELD(field);
    }

    function _word(bytes calldata b, uint256 off) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := calldataload(add(b.offset, off))
        }
    }

    function _uint(bytes calldata b, uint256 off, uint256 size, string memory field) private pure returns (uint256) {
        _need(b, off, size, field);
        return _word(b, off) >> (256 - 8 * size);
    }

    function _b32(bytes calldata b, uint256 off, string memory field) private pure returns (bytes32) {
        _need(b, off, 32, field);
        return bytes32(_word(b, off));
    }

    function _bool(bytes calldata b, uint256 off, string memory field) private pure returns (bool) {
        uint256 v = _uint(b, off, 1, field);
        if (v > 1) revert INVALID_FIELD(field);
        return v == 1;
    }

    function _party(bytes calldata b, uint256 off, string memory field) private pure returns (bool isA) {
        uint256 v = _uint(b, off, 1, field);
        if (v != 1 && v != 2) revert INVALID_FIELD(field);
        return v == 1;
    }

    // ---- state ----

    /// @notice Decodes a whole state; reverts INVALID_FIELD unless the bytes are exactly one state.
    /// Positions must be in strictly increasing id order, as core writes them (no duplicates).
    function decodeState(bytes calldata b) internal pure returns (State memory s) {
        s.contractId = _b32(b, 0, "contractId");
        s.channelId = _b32(b, 32, "channelId");
        s.version = uint64(_uint(b, 64, 8, "version"));
        s.prevHash = _b32(b, 72, "prevHash");
        // timestamp (u64 at 104) is not used on chain: time is the block's.
        _need(b, 104, 8, "timestamp");
        s.deposited = uint128(_uint(b, 112, 16, "deposited"));
        s.balanceA = uint128(_uint(b, 128, 16, "balanceA"));
        s.balanceB = uint128(_uint(b, 144, 16, "balanceB"));
        uint256 count = _uint(b, 160, 4, "positions");
        if (count > MAX_POSITIONS) revert INVALID_FIELD("positions");
        s.positionCount = count;
        s.positionsAt = 164;
        uint256 off = 164;
        bytes32 previousId;
        for (uint256 i = 0; i < count; i++) {
            bytes32 id = _b32(b, off, "positions.id");
            if (i > 0 && uint256(id) <= uint256(previousId)) revert INVALID_FIELD("positions.order");
            previousId = id;
            uint256 end = positionEnd(b, off);
            s.locked += uint256(_uint(b, end - 32, 16, "positions.lockA")) + _uint(b, end - 16, 16, "positions.lockB");
            off = end;
        }
        uint256 used = _uint(b, off, 4, "usedQuotes");
        s.usedQuoteCount = used;
        off += 4;
        for (uint256 i = 0; i < used; i++) {
            _party(b, off, "usedQuotes.quoter");
            off += 17; // quoter u8, nonce u64, validUntil u64
        }
        s.settledCount = uint64(_uint(b, off, 8, "settled.count"));
        s.settledNetToA = int128(uint128(_uint(b, off + 8, 16, "settled.netToA")));
        s.settledDigest = _b32(b, off + 24, "settled.digest");
        s.isFinal = _bool(b, off + 56, "isFinal");
        if (off + 57 != b.length) revert INVALID_FIELD("state.length");
    }

    /// @notice The offset just past the position that starts at `off` (walks the variable parts).
    function positionEnd(bytes calldata b, uint256 off) internal pure returns (uint256) {
        _party(b, off + 32, "positions.buyer");
        off += 33;
        off += 4 + _uint(b, off, 4, "terms.feed"); // feed
        off += 2; // priceDecimals, quantityDecimals
        off += 4 + _uint(b, off, 4, "terms.asset"); // asset
        off += 1 + 8 + 32; // assetDecimals, expiry, oracle
        uint256 legs = _uint(b, off, 4, "terms.legs");
        if (legs == 0 || legs > MAX_LEGS) revert INVALID_FIELD("terms.legs");
        off += 4 + legs * 51 + 48; // legs, premium, lockA, lockB
        _need(b, 0, off, "positions");
        return off;
    }

    /// @notice The byte range [start, end) of the position at `index` in a decoded state.
    function positionRange(bytes calldata b, State memory s, uint256 index) internal pure returns (uint256 start, uint256 end) {
        start = s.positionsAt;
        end = positionEnd(b, start);
        for (uint256 i = 0; i < index; i++) {
            start = end;
            end = positionEnd(b, start);
        }
    }

    /// @notice Decodes one position encoded alone (core `encodePosition`), with its terms and legs.
    function decodePosition(bytes calldata b) internal pure returns (Position memory p) {
        p.id = _b32(b, 0, "position.id");
        p.buyerIsA = _party(b, 32, "position.buyer");
        uint256 off = 33;
        uint256 n = _uint(b, off, 4, "terms.feed");
        _need(b, off + 4, n, "terms.feed");
        p.feedHash = keccak256(b[off + 4:off + 4 + n]);
        off += 4 + n;
        p.priceDecimals = uint8(_uint(b, off, 1, "terms.priceDecimals"));
        p.quantityDecimals = uint8(_uint(b, off + 1, 1, "terms.quantityDecimals"));
        off += 2;
        off += 4 + _uint(b, off, 4, "terms.asset");
        p.assetDecimals = uint8(_uint(b, off, 1, "terms.assetDecimals"));
        p.expiry = uint64(_uint(b, off + 1, 8, "terms.expiry"));
        p.oracle = _b32(b, off + 9, "terms.oracle");
        off += 41;
        uint256 legs = _uint(b, off, 4, "terms.legs");
        if (legs == 0 || legs > MAX_LEGS) revert INVALID_FIELD("terms.legs");
        off += 4;
        p.legs = new Leg[](legs);
        for (uint256 i = 0; i < legs; i++) {
            uint256 kind = _uint(b, off, 1, "legs.kind");
            if (kind != 1 && kind != 2) revert INVALID_FIELD("legs.kind");
            uint256 direction = _uint(b, off + 50, 1, "legs.direction");
            if (direction != 1 && direction != 2) revert INVALID_FIELD("legs.direction");
            p.legs[i] = Leg({
                isCall: kind == 1,
                strike: uint128(_uint(b, off + 1, 16, "legs.strike")),
                hasCap: _bool(b, off + 17, "legs.cap"),
                cap: uint128(_uint(b, off + 18, 16, "legs.cap")),
                quantity: uint128(_uint(b, off + 34, 16, "legs.quantity")),
                isLong: direction == 1
            });
            off += 51;
        }
        p.premium = uint128(_uint(b, off, 16, "position.premium"));
        p.lockA = uint128(_uint(b, off + 16, 16, "position.lockA"));
        p.lockB = uint128(_uint(b, off + 32, 16, "position.lockB"));
        if (off + 48 != b.length) revert INVALID_FIELD("position.length");
    }

    // ---- payoff (core/payoff.ts, exact integers) ----

    /// @notice The buyer's payoff at `price` in asset minor units: the legs' exact raw sum
    /// (quantity x price units), converted once, truncating toward zero (core's only rounding rule).
    /// Terms are bounded by core (values <= 10^24, <= 8 legs, decimals <= 18), so int256 never overflows.
    function payoffToBuyer(Position memory p, uint256 price) internal pure returns (int256) {
        int256 raw;
        for (uint256 i = 0; i < p.legs.length; i++) {
            Leg memory leg = p.legs[i];
            uint256 intrinsic;
            if (!leg.isCall) {
                intrinsic = leg.strike > price ? leg.strike - price : 0;
            } else {
                uint256 top = leg.hasCap && price > leg.cap ? leg.cap : price;
                intrinsic = top > leg.strike ? top - leg.strike : 0;
            }
            int256 v = int256(uint256(leg.quantity) * intrinsic);
            raw += leg.isLong ? v : -v;
        }
        // Solidity's signed division truncates toward zero, as bigint division does in core.
        return (raw * int256(10 ** p.assetDecimals)) / int256(10 ** (uint256(p.priceDecimals) + p.quantityDecimals));
    }
}
