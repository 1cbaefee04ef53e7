// The settlement node (Node only: node:fs, node:http, ws). The browser imports ../index.ts instead.
export { SettlementNode, NodeClock, blockHash, LOG_FILE, MAX_BLOCK_ENTRIES, type NodeOptions, type TxReceipt, type BlockHeader, type ReplayStats } from './settlement-node.ts'
export { AppendLog, readLog, encodeRecord, LogCorruptError, type LogContents } from './log.ts'
export { startServer, MAX_BODY_BYTES, type ServerOptions, type RunningServer } from './server.ts'
export { runNode, type RunNodeOptions, type RunningNode } from './run.ts'
export { DevOracle, DEV_FEEDS, type FeedSpec } from './dev-oracle.ts'
// The strict-equivalent OpenSSL verifier lives in core (crypto belongs to core); this name stays.
export { nodeVerifyBytes as fastVerify } from '../../core/ed25519-node.ts'
