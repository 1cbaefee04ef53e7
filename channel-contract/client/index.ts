export * from './client.ts'
export * from './api.ts'
export * from './dispute.ts'
export * from './settlement.ts'
