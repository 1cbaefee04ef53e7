// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Ed25519Verifier} from "./Ed25519Verifier.sol";
import {StateCodec} from "./StateCodec.sol";

/// @title Adjudicator: the settlement contract of bilateral option channels
/// @notice Holds one ERC-20 (the channels' asset) for its depositors and judges their channels:
/// open, cooperative close, dispute, refute, finalize, settle a position by an oracle attestation,
/// refund after the fallback. Channel states are core's bytes signed with ed25519 by both parties.
/// The happy path (open, close) is authorised by the parties' EVM accounts (the sender and an
/// EIP-712 signature of the other party), so it needs no ed25519 on chain; dispute and refute verify
/// both ed25519 signatures, so anybody (a watchtower) may submit them.
/// @dev The TypeScript model (channel-contract/model) decides every call alike: same checks, same
/// order, same reason codes (custom errors named like the model's codes). Time is
/// `block.timestamp` in ms, because core's states, expiries and challenge periods are in ms.
/// Checks, then effects, then the token transfer; every token call goes through SafeERC20.
contract Adjudicator is EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // ---- reason codes (the model's `ContractError.code`s) ----

    error INVALID_AMOUNT(uint256 amount);
    error INVALID_FIELD(string field);
    error WRONG_CONTRACT();
    error NOT_A_PARTY(address sender);
    error UNKNOWN_CHANNEL(bytes32 channelId);
    error CHANNEL_EXISTS(bytes32 channelId);
    error WRONG_CHANNEL();
    error NOT_FULLY_SIGNED(uint8 party);
    error BAD_SIGNATURE(uint8 party);
    error NOT_OPENING_STATE();
    error INVALID_STATE();
    error INSUFFICIENT_FUNDS(uint8 party, uint256 balance, uint256 needed);
    error ALREADY_FINALIZED(bytes32 channelId);
    error NOT_FINAL();
    error OPEN_POSITIONS(uint256 count);
    error STALE_VERSION(uint64 disputedVersion, uint64 version);
    error CHALLENGE_ACTIVE(uint64 deadline);
    error NOT_DISPUTED();
    error DEADLINE_PASSED(uint64 deadline);
    error UNKNOWN_POSITION(bytes32 positionId);
    error NOT_EXPIRED(uint64 expiry);
    error FALLBACK_NOT_REACHED(uint64 fallbackAt);
    error ATTESTATION_MISMATCH(bytes32 positionId);
    error AUTHORIZATION_EXPIRED(uint64 notAfter);

    // ---- events: every effect; the channel id and both parties' accounts are indexed ----

    event Deposited(address indexed account, uint256 amount, uint256 balance);
    event Withdrawn(address indexed account, uint256 amount, uint256 balance);
    /// @notice `params` is the whole channel: a client that lost its data rebuilds it from here.
    event ChannelOpened(
        bytes32 indexed channelId, address indexed evmA, address indexed evmB, Params params, uint256 amountA, uint256 amountB
    );
    event ChannelClosed(
        bytes32 indexed channelId, address indexed evmA, address indexed evmB, uint64 version, uint256 paidA, uint256 paidB
    );
    event DisputeStarted(
        bytes32 indexed channelId, address indexed evmA, address indexed evmB, uint64 version, uint64 deadline, bytes32 stateHash
    );
    event DisputeRefuted(
        bytes32 indexed channelId, address indexed evmA, address indexed evmB, uint64 version, uint64 deadline, bytes32 stateHash
    );
    event ChannelFinalized(
        bytes32 indexed channelId,
        address indexed evmA,
        address indexed evmB,
        uint64 version,
        uint256 paidA,
        uint256 paidB,
        bytes32[] lockedPositions
    );
    event PositionSettled(
        bytes32 indexed channelId, address indexed evmA, address indexed evmB, bytes32 positionId, uint256 price, uint256 toA, uint256 toB
    );
    event PositionRefunded(
        bytes32 indexed channelId, address indexed evmA, address indexed evmB, bytes32 positionId, uint256 toA, uint256 toB
    );

    /// @notice core's `ChannelParams`; `contractAddress` is core's `contract`.
    struct Params {
        bytes32 contractId;
        uint64 chainId;
        address contractAddress;
        bytes32 partyA;
        bytes32 partyB;
        address evmA;
        address evmB;
        bytes32 nonce;
        uint64 challengePeriod;
        string asset;
        uint8 assetDecimals;
        bytes32 oracle;
    }

    struct Attestation {
        bytes32 oracle;
        string feed;
        uint64 instant;
        uint128 price;
        uint8 decimals;
    }

    enum Status {
        None,
        Open,
        Disputed,
        Finalized,
        Closed
    }

    /// @dev Two slots written at open; the third only by a dispute.
    struct Channel {
        uint128 deposited;
        /// What the channel still holds: all of it until payout, then the locked collateral.
        uint128 holdings;
        Status status;
        /// Disputed: refutes while now < deadline, finalize from deadline on (ms).
        uint64 deadline;
        /// The disputed (or paid-out) state's version.
        uint64 version;
        /// Positions still locked after finalize.
        uint32 lockedCount;
        /// H("state/v2", state) of the disputed state.
        bytes32 stateHash;
    }

    uint256 public constant U128_MAX = type(uint128).max;
    /// @notice core's MIN_CHALLENGE_PERIOD_MS and MAX_CHALLENGE_PERIOD_MS.
    uint64 public constant MIN_CHALLENGE_PERIOD_MS = 1_000;
    uint64 public constant MAX_CHALLENGE_PERIOD_MS = 30 * 86_400_000;
    /// @notice How long an attestation may settle a locked position: from its expiry until this long
    /// after the later of its expiry and the dispute's deadline (when finalizing first became
    /// possible); then both locks are refunded. Counting from the expiry alone let a long challenge
    /// period (or a dispute started late) close the window before finalize could lock the position:
    /// the seller of an option in the money could then force the refund and keep the payoff.
    uint64 public constant SETTLEMENT_FALLBACK_MS = 7 * 86_400_000;

    /// @dev An open authorisation expires (`notAfter`, chain time in ms): a trader who abandons a
    /// channel before it is opened must not have it opened later, at the counterparty's choosing,
    /// with whatever free balance the trader holds then. A close needs none: it pays out a final
    /// state, after which nothing else can be co-signed.
    bytes32 private constant OPEN_TYPEHASH = keccak256("OpenChannel(bytes32 channelId,bytes32 state,uint64 notAfter)");
    bytes32 private constant CLOSE_TYPEHASH = keccak256("CloseChannel(bytes32 channelId,bytes32 state)");

    IERC20 public immutable token;
    /// @notice Strict ed25519 (core's rule), shared by every deployment on a chain.
    Ed25519Verifier public immutable ed25519;
    /// @notice H("deployment/v2", u64 chainid, address(this)): what core calls the contractId.
    bytes32 public immutable contractId;
    bytes32 private immutable assetHash;
    uint8 public immutable assetDecimals;

    /// @notice Free balances (not in any channel), by EVM account.
    mapping(address account => uint256) public balanceOf;
    mapping(bytes32 channelId => Channel) private channels;
    /// @notice After finalize: keccak256 of each still-locked position's bytes.
    mapping(bytes32 channelId => mapping(bytes32 positionId => bytes32)) public lockedPosition;

    /// @param token_ The channels' asset. `asset` and `decimals` are what channel params must name.
    constructor(IERC20 token_, string memory asset, uint8 decimals, Ed25519Verifier ed25519_) EIP712("OTC Channels", "2") {
        token = token_;
        ed25519 = ed25519_;
        assetHash = keccak256(bytes(asset));
        assetDecimals = decimals;
        contractId = sha256(abi.encodePacked(uint8(13), "deployment/v2", uint64(block.chainid), address(this)));
    }

    // ---- views ----

    /// @notice core's channelId = H("channel/v2", params' canonical bytes).
    function channelIdOf(Params calldata p) public pure returns (bytes32) {
        return sha256(
            abi.encodePacked(
                abi.encodePacked(uint8(10), "channel/v2", p.contractId, p.chainId, p.contractAddress, p.partyA, p.partyB),
                abi.encodePacked(p.evmA, p.evmB, p.nonce, p.challengePeriod, uint32(bytes(p.asset).length), p.asset),
                abi.encodePacked(p.assetDecimals, p.oracle)
            )
        );
    }

    function channel(bytes32 channelId) external view returns (Channel memory) {
        return channels[channelId];
    }

    /// @notice The EIP-712 digest a party signs to let its counterparty open the channel with
    /// `stateHash` (core's state digest) until `notAfter` (chain time, ms).
    function openAuthorizationDigest(bytes32 channelId, bytes32 stateHash, uint64 notAfter) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(OPEN_TYPEHASH, channelId, stateHash, notAfter)));
    }

    /// @notice The EIP-712 digest a party signs to let its counterparty cooperatively close the
    /// channel with the final state `stateHash`.
    function closeAuthorizationDigest(bytes32 channelId, bytes32 stateHash) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(CLOSE_TYPEHASH, channelId, stateHash)));
    }

    // ---- accounts ----

    /// @notice Moves `amount` of the token from the sender (who approved it) to its free balance,
    /// which grows by what the contract received: a token that keeps a fee of each transfer (USDT
    /// can be switched to) credits less than `amount`, so the contract never owes more than it holds.
    function deposit(uint256 amount) external nonReentrant {
        _checkAmount(amount);
        if (balanceOf[msg.sender] + amount > U128_MAX) revert INVALID_AMOUNT(amount);
        uint256 held = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - held;
        uint256 balance = balanceOf[msg.sender] + received;
        if (balance > U128_MAX) revert INVALID_AMOUNT(received);
        balanceOf[msg.sender] = balance;
        emit Deposited(msg.sender, received, balance);
    }

    /// @notice Sends `amount` of the sender's free balance back to the sender.
    function withdraw(uint256 amount) external nonReentrant {
        _checkAmount(amount);
        uint256 balance = balanceOf[msg.sender];
        if (balance < amount) revert INSUFFICIENT_FUNDS(0, balance, amount);
        balanceOf[msg.sender] = balance - amount;
        emit Withdrawn(msg.sender, amount, balance - amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ---- channels ----

    /// @notice Opens the channel: moves both deposits (the version-0 state's balances) from the
    /// parties' free balances into it, atomically. Sent by one party, with the other's EIP-712
    /// `OpenChannel` signature over the opening state and `notAfter`, no later than `notAfter`.
    function open(Params calldata p, bytes calldata state, bytes calldata otherAuth, uint64 notAfter) external {
        if (p.chainId != block.chainid || p.contractAddress != address(this) || p.contractId != contractId) {
            revert WRONG_CONTRACT();
        }
        if (keccak256(bytes(p.asset)) != assetHash || p.assetDecimals != assetDecimals) revert WRONG_CONTRACT();
        _checkParams(p);
        bool otherIsA = !_senderParty(p);
        bytes32 channelId = channelIdOf(p);
        Channel storage c = channels[channelId];
        if (c.status != Status.None) revert CHANNEL_EXISTS(channelId);
        StateCodec.State memory s = StateCodec.decodeState(state);
        if (s.contractId != contractId || s.channelId != channelId) revert WRONG_CHANNEL();
        _checkAuthorization(p, openAuthorizationDigest(channelId, StateCodec.stateDigest(state), notAfter), otherIsA, otherAuth);
        if (_now() > notAfter) revert AUTHORIZATION_EXPIRED(notAfter);
        if (
            s.version != 0 || s.prevHash != 0 || s.positionCount != 0 || s.usedQuoteCount != 0 || s.isFinal
                || s.settledCount != 0 || s.settledNetToA != 0 || s.settledDigest != 0
        ) revert NOT_OPENING_STATE();
        if (uint256(s.balanceA) + s.balanceB != s.deposited) revert INVALID_STATE();
        uint256 a = balanceOf[p.evmA];
        if (a < s.balanceA) revert INSUFFICIENT_FUNDS(1, a, s.balanceA);
        uint256 b = balanceOf[p.evmB];
        if (b < s.balanceB) revert INSUFFICIENT_FUNDS(2, b, s.balanceB);
        balanceOf[p.evmA] = a - s.balanceA;
        balanceOf[p.evmB] = b - s.balanceB;
        c.deposited = s.deposited;
        c.holdings = s.deposited;
        c.status = Status.Open;
        emit ChannelOpened(channelId, p.evmA, p.evmB, p, s.balanceA, s.balanceB);
    }

    /// @notice Cooperative close: a final state (no positions) pays both balances at once. Sent by
    /// one party with the other's EIP-712 `CloseChannel` signature. Also ends a running dispute, if
    /// its version is at least the disputed one (equal only for the same state).
    function close(Params calldata p, bytes calldata state, bytes calldata otherAuth) external {
        (bytes32 channelId, Channel storage c) = _channelOf(p);
        bool senderIsA = _senderParty(p);
        _assertNotFinalized(channelId, c);
        StateCodec.State memory s = StateCodec.decodeState(state);
        if (s.contractId != contractId || s.channelId != channelId) revert WRONG_CHANNEL();
        bytes32 stateHash = StateCodec.stateDigest(state);
        _checkAuthorization(p, closeAuthorizationDigest(channelId, stateHash), !senderIsA, otherAuth);
        _checkConservation(c, s);
        if (!s.isFinal) revert NOT_FINAL();
        if (s.positionCount != 0) revert OPEN_POSITIONS(s.positionCount);
        if (c.status == Status.Disputed) {
            if (s.version < c.version || (s.version == c.version && stateHash != c.stateHash)) {
                revert STALE_VERSION(c.version, s.version);
            }
        }
        c.status = Status.Closed;
        c.holdings = 0;
        c.version = s.version;
        _credit(p.evmA, s.balanceA);
        _credit(p.evmB, s.balanceB);
        emit ChannelClosed(channelId, p.evmA, p.evmB, s.version, s.balanceA, s.balanceB);
    }

    /// @notice Starts a dispute with a state both parties signed (ed25519). Anybody may submit it.
    /// The challenge window runs `challengePeriod` ms from this block.
    function dispute(Params calldata p, bytes calldata state, bytes calldata sigA, bytes calldata sigB) external {
        (bytes32 channelId, Channel storage c) = _channelOf(p);
        _assertNotFinalized(channelId, c);
        if (c.status == Status.Disputed) revert CHALLENGE_ACTIVE(c.deadline);
        (StateCodec.State memory s, bytes32 stateHash) = _checkSigned(p, channelId, c, state, sigA, sigB);
        uint64 deadline = _now() + p.challengePeriod;
        c.status = Status.Disputed;
        c.deadline = deadline;
        c.version = s.version;
        c.stateHash = stateHash;
        emit DisputeStarted(channelId, p.evmA, p.evmB, s.version, deadline, stateHash);
    }

    /// @notice Replaces the disputed state by a strictly higher version both signed, before the
    /// deadline. Does not move the deadline. Anybody may submit it.
    function refute(Params calldata p, bytes calldata state, bytes calldata sigA, bytes calldata sigB) external {
        (bytes32 channelId, Channel storage c) = _channelOf(p);
        _assertNotFinalized(channelId, c);
        if (c.status != Status.Disputed) revert NOT_DISPUTED();
        if (_now() >= c.deadline) revert DEADLINE_PASSED(c.deadline);
        (StateCodec.State memory s, bytes32 stateHash) = _checkSigned(p, channelId, c, state, sigA, sigB);
        if (s.version <= c.version) revert STALE_VERSION(c.version, s.version);
        c.version = s.version;
        c.stateHash = stateHash;
        emit DisputeRefuted(channelId, p.evmA, p.evmB, s.version, c.deadline, stateHash);
    }

    /// @notice After the deadline, pays the disputed state's free balances and keeps each open
    /// position's collateral locked until it settles. `state` must be the disputed state's bytes.
    function finalize(Params calldata p, bytes calldata state) external {
        (bytes32 channelId, Channel storage c) = _channelOf(p);
        _assertNotFinalized(channelId, c);
        if (c.status != Status.Disputed) revert NOT_DISPUTED();
        if (_now() < c.deadline) revert CHALLENGE_ACTIVE(c.deadline);
        if (StateCodec.stateDigest(state) != c.stateHash) revert INVALID_STATE();
        StateCodec.State memory s = StateCodec.decodeState(state);
        bytes32[] memory ids = new bytes32[](s.positionCount);
        uint256 off = s.positionsAt;
        for (uint256 i = 0; i < s.positionCount; i++) {
            uint256 end = StateCodec.positionEnd(state, off);
            ids[i] = bytes32(state[off:off + 32]);
            lockedPosition[channelId][ids[i]] = keccak256(state[off:end]);
            off = end;
        }
        c.status = s.positionCount > 0 ? Status.Finalized : Status.Closed;
        c.holdings = uint128(s.locked);
        c.lockedCount = uint32(s.positionCount);
        delete c.stateHash;
        _credit(p.evmA, s.balanceA);
        _credit(p.evmB, s.balanceB);
        emit ChannelFinalized(channelId, p.evmA, p.evmB, s.version, s.balanceA, s.balanceB, ids);
    }

    /// @notice Settles a finalized channel's locked position at its expiry by the oracle's signed
    /// price (ed25519 over core's `price/v2` digest): the buyer gets its lock plus the payoff, the
    /// seller its lock minus it, never more than the two locks hold.
    function settlePosition(Params calldata p, bytes calldata position, Attestation calldata att, bytes calldata oracleSig)
        external
    {
        (bytes32 channelId, Channel storage c) = _channelOf(p);
        StateCodec.Position memory pos = _lockedPosition(channelId, c, position);
        _checkSettlement(pos, _settlementEnd(pos, c), att, oracleSig);
        (uint256 toA, uint256 toB) = _payout(pos, att.price);
        _release(p, channelId, c, pos.id, toA, toB);
        emit PositionSettled(channelId, p.evmA, p.evmB, pos.id, att.price, toA, toB);
    }

    /// @notice If no attestation settled a locked position in its settlement window
    /// (`_settlementEnd`), each side gets its own lock back.
    function refundPosition(Params calldata p, bytes calldata position) external {
        (bytes32 channelId, Channel storage c) = _channelOf(p);
        StateCodec.Position memory pos = _lockedPosition(channelId, c, position);
        uint64 fallbackAt = _settlementEnd(pos, c);
        if (_now() < fallbackAt) revert FALLBACK_NOT_REACHED(fallbackAt);
        _release(p, channelId, c, pos.id, pos.lockA, pos.lockB);
        emit PositionRefunded(channelId, p.evmA, p.evmB, pos.id, pos.lockA, pos.lockB);
    }

    // ---- checks ----

    function _now() private view returns (uint64) {
        return uint64(block.timestamp * 1000);
    }

    function _checkAmount(uint256 amount) private pure {
        if (amount == 0 || amount > U128_MAX) revert INVALID_AMOUNT(amount);
    }

    function _checkParams(Params calldata p) private pure {
        if (p.partyA == p.partyB) revert INVALID_FIELD("params.partyB");
        if (p.evmA == address(0)) revert INVALID_FIELD("params.evmA");
        if (p.evmB == address(0) || p.evmB == p.evmA) revert INVALID_FIELD("params.evmB");
        if (p.challengePeriod < MIN_CHALLENGE_PERIOD_MS || p.challengePeriod > MAX_CHALLENGE_PERIOD_MS) {
            revert INVALID_FIELD("params.challengePeriod");
        }
    }

    function _senderParty(Params calldata p) private view returns (bool isA) {
        if (msg.sender == p.evmA) return true;
        if (msg.sender == p.evmB) return false;
        revert NOT_A_PARTY(msg.sender);
    }

    function _channelOf(Params calldata p) private view returns (bytes32 channelId, Channel storage c) {
        channelId = channelIdOf(p);
        c = channels[channelId];
        if (c.status == Status.None) revert UNKNOWN_CHANNEL(channelId);
    }

    function _assertNotFinalized(bytes32 channelId, Channel storage c) private view {
        if (c.status == Status.Finalized || c.status == Status.Closed) revert ALREADY_FINALIZED(channelId);
    }

    /// @dev The other party's EIP-712 authorisation of `digest` (the sender authorises by sending).
    function _checkAuthorization(Params calldata p, bytes32 digest, bool otherIsA, bytes calldata sig) private pure {
        uint8 party = otherIsA ? 1 : 2;
        if (sig.length == 0) revert NOT_FULLY_SIGNED(party);
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, sig);
        if (err != ECDSA.RecoverError.NoError || signer != (otherIsA ? p.evmA : p.evmB)) revert BAD_SIGNATURE(party);
    }

    /// @dev A state of this channel with both ed25519 signatures valid and its deposit conserved.
    function _checkSigned(
        Params calldata p,
        bytes32 channelId,
        Channel storage c,
        bytes calldata state,
        bytes calldata sigA,
        bytes calldata sigB
    ) private view returns (StateCodec.State memory s, bytes32 stateHash) {
        s = StateCodec.decodeState(state);
        if (s.contractId != contractId || s.channelId != channelId) revert WRONG_CHANNEL();
        if (sigA.length == 0) revert NOT_FULLY_SIGNED(1);
        if (sigB.length == 0) revert NOT_FULLY_SIGNED(2);
        stateHash = StateCodec.stateDigest(state);
        if (!_verifyEd25519(p.partyA, stateHash, sigA)) revert BAD_SIGNATURE(1);
        if (!_verifyEd25519(p.partyB, stateHash, sigB)) revert BAD_SIGNATURE(2);
        _checkConservation(c, s);
    }

    function _checkConservation(Channel storage c, StateCodec.State memory s) private view {
        if (s.deposited != c.deposited) revert INVALID_STATE();
        if (uint256(s.balanceA) + s.balanceB + s.locked != s.deposited) revert INVALID_STATE();
    }

    function _verifyEd25519(bytes32 publicKey, bytes32 digest, bytes calldata sig) private view returns (bool) {
        if (sig.length != 64) return false;
        return ed25519.verify(publicKey, bytes32(sig[0:32]), bytes32(sig[32:64]), digest);
    }

    function _lockedPosition(bytes32 channelId, Channel storage c, bytes calldata position)
        private
        view
        returns (StateCodec.Position memory pos)
    {
        if (position.length < 32) revert INVALID_FIELD("position");
        bytes32 id = bytes32(position[0:32]);
        if (c.status != Status.Finalized) revert UNKNOWN_POSITION(id);
        bytes32 committed = lockedPosition[channelId][id];
        if (committed == 0 || committed != keccak256(position)) revert UNKNOWN_POSITION(id);
        pos = StateCodec.decodePosition(position);
    }

    /// @dev When a finalized channel's locked position stops settling by attestation (refunds from
    /// then on): SETTLEMENT_FALLBACK_MS after its expiry or after the dispute's deadline (kept by
    /// finalize: when the channel could first be finalized), whichever is later.
    function _settlementEnd(StateCodec.Position memory pos, Channel storage c) private view returns (uint64) {
        uint64 from = c.deadline > pos.expiry ? c.deadline : pos.expiry;
        return from + SETTLEMENT_FALLBACK_MS;
    }

    /// @dev In the settlement window (expiry to `end`), an attestation for exactly this position's
    /// oracle, feed, expiry and price decimals, signed by the oracle (core's `assertAttestationSettles`).
    function _checkSettlement(StateCodec.Position memory pos, uint64 end, Attestation calldata att, bytes calldata oracleSig)
        private
        view
    {
        uint64 now_ = _now();
        if (now_ < pos.expiry) revert NOT_EXPIRED(pos.expiry);
        if (now_ >= end) revert DEADLINE_PASSED(end);
        if (
            att.oracle != pos.oracle || keccak256(bytes(att.feed)) != pos.feedHash || att.instant != pos.expiry
                || att.decimals != pos.priceDecimals
        ) revert ATTESTATION_MISMATCH(pos.id);
        bytes32 digest = StateCodec.attestationDigest(att.oracle, att.feed, att.instant, att.price, att.decimals);
        if (!_verifyEd25519(att.oracle, digest, oracleSig)) revert BAD_SIGNATURE(0);
    }

    /// @dev The buyer gets its lock plus the payoff, the seller its lock minus it (core's
    /// `settlementPayout`), clamped so nobody gets more than the two locks hold.
    function _payout(StateCodec.Position memory pos, uint256 price) private pure returns (uint256 toA, uint256 toB) {
        uint256 total = uint256(pos.lockA) + pos.lockB;
        int256 toBuyer = StateCodec.payoffToBuyer(pos, price);
        int256 rawToA = int256(uint256(pos.lockA)) + (pos.buyerIsA ? toBuyer : -toBuyer);
        toA = rawToA < 0 ? 0 : uint256(rawToA) > total ? total : uint256(rawToA);
        toB = total - toA;
    }

    // ---- effects ----

    function _credit(address account, uint256 amount) private {
        if (amount != 0) balanceOf[account] += amount;
    }

    function _release(Params calldata p, bytes32 channelId, Channel storage c, bytes32 positionId, uint256 toA, uint256 toB)
        private
    {
        delete lockedPosition[channelId][positionId];
        c.holdings -= uint128(toA + toB);
        c.lockedCount -= 1;
        if (c.lockedCount == 0) c.status = Status.Closed;
        _credit(p.evmA, toA);
        _credit(p.evmB, toB);
    }
}
