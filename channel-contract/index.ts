// channel-contract's public face for the app, the desk and tests: the chain client and settlement
// facade (browser-safe: viem, fetch and zod). Node-only parts: chain/ (solc, anvil, deploy, devnet),
// services/ (oracle, watchtower). The TypeScript model of the contract (model/) serves the
// differential test against the Solidity adjudicator.
export * from './client/index.ts'
