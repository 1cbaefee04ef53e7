// What "Get test funds" does on a dev chain, in words. The amount is said with the asset's symbol
// once (formatMoney already carries it): "mints 100,000.00 USDC Test USDC" named the asset twice.
import { formatMoney } from '../money/money.ts'

/** The Collateral panel's dev-chain note: what the faucet mints (`amount`, minor units of the asset) and what the clock is for. */
export function testFundsNote(amount: bigint, decimals: number, symbol: string): string {
  return `Dev chain: “Get test funds” mints ${formatMoney(amount, decimals, symbol)} of the test token, with gas, and deposits it; the clock moves expiries and challenge windows.`
}
