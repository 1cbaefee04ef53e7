// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

interface ITokenReceiver {
    function onTokenReceived(address from, uint256 amount) external;
}

/// @notice Test only: an ERC-20 that calls the recipient back on every transfer to a contract (as
/// ERC-777 and some bridged tokens do), so a recipient can try to re-enter the adjudicator while
/// it is still paying out. A revert in the hook fails the transfer.
contract HookToken is ERC20 {
    /// @notice Recipients that asked to be called back (as ERC-777's registry does).
    mapping(address => bool) public hooked;

    constructor() ERC20("Hook Token", "HOOK") {}

    function register() external {
        hooked[msg.sender] = true;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from != address(0) && hooked[to]) ITokenReceiver(to).onTokenReceived(from, value);
    }
}

interface IAdjudicator {
    function deposit(uint256 amount) external;
    function withdraw(uint256 amount) external;
}

/// @notice Test only: deposits, then withdraws, and from the token's callback tries to withdraw
/// again before the first withdraw has finished (the classic re-entrancy drain).
contract ReentrancyAttacker is ITokenReceiver {
    IAdjudicator public immutable adjudicator;
    HookToken public immutable token;
    uint256 public reentries;

    constructor(IAdjudicator adjudicator_, HookToken token_) {
        adjudicator = adjudicator_;
        token = token_;
    }

    function depositAll() external {
        token.register();
        uint256 amount = token.balanceOf(address(this));
        token.approve(address(adjudicator), amount);
        adjudicator.deposit(amount);
    }

    function attack(uint256 amount) external {
        adjudicator.withdraw(amount);
    }

    function onTokenReceived(address, uint256 amount) external {
        if (msg.sender != address(token) || reentries > 0) return;
        reentries++;
        adjudicator.withdraw(amount);
    }
}
