// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Test only: an ERC-20 with the quirks real tokens have.
/// - `setFailing(true)`: transfers report failure by returning false (no revert). The adjudicator
///   must treat that as a failed transfer (SafeERC20) and move nothing.
/// - `setFee(f)`: every transfer keeps a fee of `f` (as USDT can be switched to do), so the receiver
///   gets `amount - f`. The adjudicator must credit what arrived, not what was asked for, or it
///   would owe more than it holds.
contract QuirkyToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    bool public failing;
    uint256 public fee;

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function setFailing(bool on) external {
        failing = on;
    }

    function setFee(uint256 f) external {
        fee = f;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        if (failing || balanceOf[msg.sender] < amount) return false;
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        if (failing || balanceOf[from] < amount || allowance[from][msg.sender] < amount) return false;
        allowance[from][msg.sender] -= amount;
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) private {
        uint256 cut = fee < amount ? fee : amount;
        balanceOf[from] -= amount;
        balanceOf[to] += amount - cut;
    }
}
