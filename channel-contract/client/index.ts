export * from './dispute.ts'
export * from './settlement.ts'
export * from './chain.ts'
export * from './openPositions.ts'
