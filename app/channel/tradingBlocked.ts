// What a channel's state allows: a closed, finalized or disputed channel, or one whose final state
// is signed, takes no new trade, and says so in words (the Trade tab shows it, New RFQ is disabled).
/** Why no new trade can start in this channel now (said in the Trade tab), or null. */
export function tradingBlocked(chain: string | null, isFinal: boolean): string | null {
  switch (chain) {
    case 'closed': return 'This channel is closed: both balances are paid out, yours into your free balance in the settlement contract (Collateral). Its history stays readable here; open a new channel to trade again.'
    case 'finalized': return 'This channel was finalized after a dispute: no more trades. Settle or refund what is still locked in the Settlement tab.'
    case 'disputed': return 'This channel is in dispute on the contract: trading is stopped. Follow the challenge window in the Settlement tab.'
  }
  if (isFinal) return 'The final state is signed by both: the channel is closing, no new trades. Close it on the contract in the Settlement tab.'
  return null
}

/**
 * What to know before trading in a channel whose opening is co-signed but not yet open on the
 * contract (`chain` 'not opened'): trading is allowed (the protocol runs off chain), but no deposit
 * is locked yet. Null otherwise.
 */
export function tradingUnbacked(chain: string | null, opened: boolean): string | null {
  if (chain !== 'not opened' || !opened) return null
  return 'Not open on the contract yet: neither deposit is locked, so a trade here is backed by nothing on chain until the channel opens (Settlement tab). The demo desks quote only once it is open.'
}
