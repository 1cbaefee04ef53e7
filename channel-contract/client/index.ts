export * from './client.ts'
export * from './api.ts'
