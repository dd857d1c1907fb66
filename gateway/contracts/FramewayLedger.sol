// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/**
 * @title Frameway QoS ledger and settlement
 * @notice Provider stake, per-session escrow ("resource allocation"), Merkle
 * roots of signed per-minute QoS records, proof-of-delivery settlement and a
 * challenge window in which anyone can correct a settled minute verdict by
 * presenting the minute record with its inclusion proof.
 *
 * Money flows by pull payment: finalize() credits balances, withdraw() pays.
 * One operator (the gateway's key) allocates, commits batches and settles.
 */
contract FramewayLedger is ReentrancyGuard {
    /// @notice One minute of one session as the gateway recorded it. The leaf is
    /// keccak256(bytes.concat(keccak256(abi.encode(fields in this order)))),
    /// OpenZeppelin StandardMerkleTree's leaf hash.
    struct MinuteRecord {
        bytes32 sessionKey;
        uint32 minuteIndex;
        uint64 startedAt;
        bool slaMet;
        uint32 failureMask;
        uint32 fpsMilli;
        uint32 p95LatencyUs;
        bytes32 agentReportDigest;
        bytes32 clientReportDigest;
    }

    enum Status {
        None,
        Allocated,
        Settled,
        Finalized
    }

    struct Allocation {
        address payer;
        uint64 allocatedAt;
        Status status;
        address provider;
        uint96 pricePerBlock;
        uint128 escrow;
        uint128 collateral;
        uint16 slaMinBps;
        uint16 penaltyBps;
    }

    struct Settlement {
        uint64 durationSec;
        uint32 totalMinutes;
        uint32 failedMinutes;
        uint64 finalizeAfter;
        uint32 p50LatencyUs;
        uint32 p95LatencyUs;
        uint32 fpsP5Milli;
    }

    /// @notice Billing granularity: a started 15-minute block is billed whole.
    uint256 public constant BLOCK_SECONDS = 900;
    uint256 private constant BPS = 10_000;

    address public immutable operator;
    /// @notice Seconds after settle() during which dispute() is open and finalize() is not.
    uint64 public immutable challengeWindow;

    mapping(address provider => uint256) public stakeOf;
    mapping(address provider => uint256) public lockedOf;
    mapping(address account => uint256) public balanceOf;
    mapping(bytes32 batchId => bytes32 root) public batchRoots;
    mapping(bytes32 sessionKey => Allocation) public allocations;
    mapping(bytes32 sessionKey => Settlement) public settlements;
    mapping(bytes32 sessionKey => uint256[]) internal _failedBitmaps;
    mapping(bytes32 sessionKey => mapping(uint256 minuteIndex => bool)) public disputed;

    event Staked(address indexed provider, address indexed from, uint256 amount);
    event Unstaked(address indexed provider, uint256 amount);
    event Allocated(
        bytes32 indexed sessionKey,
        address indexed provider,
        address payer,
        uint256 escrow,
        uint256 pricePerBlock,
        uint256 collateral
    );
    event BatchCommitted(bytes32 indexed batchId, bytes32 root, uint32 leafCount);
    event Settled(
        bytes32 indexed sessionKey,
        uint64 durationSec,
        uint256 billableBlocks,
        uint32 totalMinutes,
        uint32 failedMinutes,
        uint32 p50LatencyUs,
        uint32 p95LatencyUs,
        uint32 fpsP5Milli,
        bool slaBreached,
        uint64 finalizeAfter
    );
    event Disputed(bytes32 indexed sessionKey, uint32 minuteIndex, bool slaMet, address indexed challenger);
    event Finalized(bytes32 indexed sessionKey, uint256 payout, uint256 refund, uint256 penalty);
    event Withdrawn(address indexed account, uint256 amount);

    error NotOperator();
    error InvalidParams();
    error AlreadyAllocated(bytes32 sessionKey);
    error InsufficientStake(uint256 available, uint256 needed);
    error BatchAlreadyCommitted(bytes32 batchId, bytes32 root);
    error UnknownBatch(bytes32 batchId);
    error WrongStatus(bytes32 sessionKey, Status status);
    error ChallengeWindowClosed(bytes32 sessionKey);
    error ChallengeWindowOpen(bytes32 sessionKey, uint64 finalizeAfter);
    error InvalidProof();
    error MinuteOutOfRange(uint32 minuteIndex, uint32 totalMinutes);
    error NothingToDispute(uint32 minuteIndex);
    error AlreadyDisputed(uint32 minuteIndex);
    error NothingToWithdraw();
    error TransferFailed();

    modifier onlyOperator() {
        if (msg.sender != operator) revert NotOperator();
        _;
    }

    constructor(address operator_, uint64 challengeWindow_) {
        if (operator_ == address(0)) revert InvalidParams();
        operator = operator_;
        challengeWindow = challengeWindow_;
    }

    // ---------------------------------------------------------------- stake

    /// @notice Adds the value to the caller's provider stake.
    function stake() external payable {
        _stake(msg.sender);
    }

    /// @notice Adds the value to `provider`'s stake (only the provider can withdraw it).
    function stakeFor(address provider) external payable {
        _stake(provider);
    }

    /// @notice Withdraws free (not locked as session collateral) stake.
    function unstake(uint256 amount) external nonReentrant {
        uint256 free = stakeOf[msg.sender] - lockedOf[msg.sender];
        if (amount == 0 || amount > free) revert InsufficientStake(free, amount);
        stakeOf[msg.sender] -= amount;
        emit Unstaked(msg.sender, amount);
        _pay(msg.sender, amount);
    }

    // ----------------------------------------------------------- allocation

    /**
     * @notice The resource-allocation transaction: escrows the value for a
     * session on `provider` and locks `penaltyBps` of it from the provider's
     * stake as collateral for an SLA breach.
     * @param payer who gets refunds; zero = the caller
     * @param slaMinBps share of minutes that must meet the SLA (9500 = 95 %)
     */
    function allocate(
        bytes32 sessionKey,
        address provider,
        address payer,
        uint96 pricePerBlock,
        uint16 slaMinBps,
        uint16 penaltyBps
    ) external payable onlyOperator {
        if (provider == address(0) || pricePerBlock == 0 || msg.value == 0) revert InvalidParams();
        if (slaMinBps > BPS || penaltyBps > BPS || msg.value > type(uint128).max) revert InvalidParams();
        Allocation storage a = allocations[sessionKey];
        if (a.status != Status.None) revert AlreadyAllocated(sessionKey);
        uint256 collateral = (msg.value * penaltyBps) / BPS;
        uint256 free = stakeOf[provider] - lockedOf[provider];
        if (collateral > free) revert InsufficientStake(free, collateral);
        lockedOf[provider] += collateral;
        a.payer = payer == address(0) ? msg.sender : payer;
        a.allocatedAt = uint64(block.timestamp);
        a.status = Status.Allocated;
        a.provider = provider;
        a.pricePerBlock = pricePerBlock;
        a.escrow = uint128(msg.value);
        a.collateral = uint128(collateral);
        a.slaMinBps = slaMinBps;
        a.penaltyBps = penaltyBps;
        emit Allocated(sessionKey, provider, a.payer, msg.value, pricePerBlock, collateral);
    }

    // -------------------------------------------------------------- batches

    /// @notice Anchors the Merkle root of a batch of minute records. A batch id is used once.
    function commitBatch(bytes32 batchId, bytes32 root, uint32 leafCount) external onlyOperator {
        if (root == bytes32(0) || leafCount == 0) revert InvalidParams();
        bytes32 existing = batchRoots[batchId];
        if (existing != bytes32(0)) revert BatchAlreadyCommitted(batchId, existing);
        batchRoots[batchId] = root;
        emit BatchCommitted(batchId, root, leafCount);
    }

    // ----------------------------------------------------------- settlement

    /**
     * @notice Proof of delivery. `failedBitmap` has bit i set when minute i
     * failed the SLA (word i/256, bit i%256); the failed count is derived from
     * it. Opens the challenge window.
     */
    function settle(
        bytes32 sessionKey,
        uint64 durationSec,
        uint32 totalMinutes,
        uint256[] calldata failedBitmap,
        uint32 p50LatencyUs,
        uint32 p95LatencyUs,
        uint32 fpsP5Milli
    ) external onlyOperator {
        Allocation storage a = allocations[sessionKey];
        if (a.status != Status.Allocated) revert WrongStatus(sessionKey, a.status);
        if (failedBitmap.length != (uint256(totalMinutes) + 255) / 256) revert InvalidParams();
        uint32 failed = 0;
        for (uint256 w = 0; w < failedBitmap.length; w++) {
            uint256 word = failedBitmap[w];
            // Bits past the last minute must be clear.
            if (w == failedBitmap.length - 1 && totalMinutes % 256 != 0 && (word >> (totalMinutes % 256)) != 0) {
                revert InvalidParams();
            }
            failed += uint32(_popcount(word));
        }
        Settlement storage s = settlements[sessionKey];
        s.durationSec = durationSec;
        s.totalMinutes = totalMinutes;
        s.failedMinutes = failed;
        s.finalizeAfter = uint64(block.timestamp) + challengeWindow;
        s.p50LatencyUs = p50LatencyUs;
        s.p95LatencyUs = p95LatencyUs;
        s.fpsP5Milli = fpsP5Milli;
        _failedBitmaps[sessionKey] = failedBitmap;
        a.status = Status.Settled;
        (,,, bool breached, uint256 blocks) = _quote(a, s);
        emit Settled(
            sessionKey,
            durationSec,
            blocks,
            totalMinutes,
            failed,
            p50LatencyUs,
            p95LatencyUs,
            fpsP5Milli,
            breached,
            s.finalizeAfter
        );
    }

    /**
     * @notice Anyone may correct a settled minute inside the challenge window
     * by presenting its committed record and inclusion proof: when the
     * record's verdict differs from the settlement's, the settlement follows
     * the record. Each minute can be disputed once.
     */
    function dispute(bytes32 batchId, MinuteRecord calldata record, bytes32[] calldata proof) external {
        bytes32 root = batchRoots[batchId];
        if (root == bytes32(0)) revert UnknownBatch(batchId);
        bytes32 key = record.sessionKey;
        Allocation storage a = allocations[key];
        if (a.status != Status.Settled) revert WrongStatus(key, a.status);
        Settlement storage s = settlements[key];
        if (block.timestamp >= s.finalizeAfter) revert ChallengeWindowClosed(key);
        if (!MerkleProof.verifyCalldata(proof, root, leafHash(record))) revert InvalidProof();
        if (record.minuteIndex >= s.totalMinutes) revert MinuteOutOfRange(record.minuteIndex, s.totalMinutes);
        if (disputed[key][record.minuteIndex]) revert AlreadyDisputed(record.minuteIndex);
        uint256[] storage bitmap = _failedBitmaps[key];
        uint256 word = record.minuteIndex / 256;
        uint256 bit = uint256(1) << (record.minuteIndex % 256);
        bool settledAsFailed = bitmap[word] & bit != 0;
        if (settledAsFailed != record.slaMet) revert NothingToDispute(record.minuteIndex);
        disputed[key][record.minuteIndex] = true;
        if (record.slaMet) {
            bitmap[word] &= ~bit;
            s.failedMinutes -= 1;
        } else {
            bitmap[word] |= bit;
            s.failedMinutes += 1;
        }
        emit Disputed(key, record.minuteIndex, record.slaMet, msg.sender);
    }

    /// @notice After the challenge window: credits provider payout, payer refund and penalty, frees collateral.
    function finalize(bytes32 sessionKey) external {
        Allocation storage a = allocations[sessionKey];
        if (a.status != Status.Settled) revert WrongStatus(sessionKey, a.status);
        Settlement storage s = settlements[sessionKey];
        if (block.timestamp < s.finalizeAfter) revert ChallengeWindowOpen(sessionKey, s.finalizeAfter);
        (uint256 payout, uint256 refund, uint256 penalty,,) = _quote(a, s);
        a.status = Status.Finalized;
        lockedOf[a.provider] -= a.collateral;
        stakeOf[a.provider] -= penalty;
        balanceOf[a.provider] += payout;
        balanceOf[a.payer] += refund + penalty;
        emit Finalized(sessionKey, payout, refund, penalty);
    }

    /// @notice Pays out the caller's credited balance.
    function withdraw() external nonReentrant {
        uint256 amount = balanceOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        balanceOf[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        _pay(msg.sender, amount);
    }

    // ---------------------------------------------------------------- views

    /// @notice What finalize() would pay now for a settled session.
    function quote(bytes32 sessionKey)
        external
        view
        returns (uint256 payout, uint256 refund, uint256 penalty, bool slaBreached, uint256 billableBlocks)
    {
        Allocation storage a = allocations[sessionKey];
        if (a.status != Status.Settled && a.status != Status.Finalized) revert WrongStatus(sessionKey, a.status);
        return _quote(a, settlements[sessionKey]);
    }

    /// @notice True when `record` is in the committed batch `batchId` (an eth_call anyone can make).
    function verifyRecord(bytes32 batchId, MinuteRecord calldata record, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        bytes32 root = batchRoots[batchId];
        return root != bytes32(0) && MerkleProof.verifyCalldata(proof, root, leafHash(record));
    }

    function failedBitmapOf(bytes32 sessionKey) external view returns (uint256[] memory) {
        return _failedBitmaps[sessionKey];
    }

    /// @notice The StandardMerkleTree leaf of a minute record.
    function leafHash(MinuteRecord calldata r) public pure returns (bytes32) {
        return keccak256(
            bytes.concat(
                keccak256(
                    abi.encode(
                        r.sessionKey,
                        r.minuteIndex,
                        r.startedAt,
                        r.slaMet,
                        r.failureMask,
                        r.fpsMilli,
                        r.p95LatencyUs,
                        r.agentReportDigest,
                        r.clientReportDigest
                    )
                )
            )
        );
    }

    // ------------------------------------------------------------- internal

    /**
     * Billable blocks = started 15-minute blocks, capped by the escrow. Failed
     * minutes are credited pro rata (charge × failed / total); a share of
     * met minutes under `slaMinBps` is a breach and forfeits the collateral.
     */
    function _quote(Allocation storage a, Settlement storage s)
        internal
        view
        returns (uint256 payout, uint256 refund, uint256 penalty, bool breached, uint256 blocks)
    {
        blocks = (uint256(s.durationSec) + BLOCK_SECONDS - 1) / BLOCK_SECONDS;
        uint256 maxBlocks = uint256(a.escrow) / a.pricePerBlock;
        if (blocks > maxBlocks) blocks = maxBlocks;
        uint256 charge = blocks * a.pricePerBlock;
        uint256 credit = s.totalMinutes == 0 ? 0 : (charge * s.failedMinutes) / s.totalMinutes;
        payout = charge - credit;
        refund = uint256(a.escrow) - payout;
        breached =
            s.totalMinutes > 0 && uint256(s.totalMinutes - s.failedMinutes) * BPS < uint256(s.totalMinutes) * a.slaMinBps;
        penalty = breached ? a.collateral : 0;
    }

    function _stake(address provider) internal {
        if (msg.value == 0 || provider == address(0)) revert InvalidParams();
        stakeOf[provider] += msg.value;
        emit Staked(provider, msg.sender, msg.value);
    }

    function _pay(address to, uint256 amount) internal {
        (bool ok,) = payable(to).call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    function _popcount(uint256 x) internal pure returns (uint256 count) {
        while (x != 0) {
            x &= x - 1;
            count++;
        }
    }
}
