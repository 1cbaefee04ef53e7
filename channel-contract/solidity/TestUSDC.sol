// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Test USDC: the dev chain's collateral (6 decimals, like USDC)
/// @notice Anybody may mint, but only on the dev chain (anvil's chain id 31337): the faucet behind
/// "Get test funds". Deployed anywhere else, `mint` always reverts.
contract TestUSDC is ERC20 {
    uint256 public constant DEV_CHAIN_ID = 31337;

    /// @notice Minting was attempted on a chain that is not the dev chain.
    error DEV_ONLY(uint256 chainId);

    constructor() ERC20("Test USDC", "USDC") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Creates `amount` (minor units) for `to`: dev chain only.
    function mint(address to, uint256 amount) external {
        if (block.chainid != DEV_CHAIN_ID) revert DEV_ONLY(block.chainid);
        _mint(to, amount);
    }
}
