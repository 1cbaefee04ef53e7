// channel-contract's public face for the app, bots and tests: the contract (pure), the node client
// and the watchtower. Browser-safe: nothing here imports Node modules (the node is ./node/index.ts).
export * from './contract/index.ts'
export * from './client/index.ts'
export * from './watchtower/index.ts'
