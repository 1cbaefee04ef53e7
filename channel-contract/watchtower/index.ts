export * from './watchtower.ts'
