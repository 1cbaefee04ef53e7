// Which invites the desk accepts (pure): sealed for its code, naming the desk's key and the desk's
// EVM account as the other party (and an EVM account for the inviter), on the desk's chain and
// contract, with the oracle the desk's oracle service attests with, in the desk's asset, and with a
// deposit the desk can sensibly fund.
import { deploymentId, otherParty, partyAddress, partyOf, U128_MAX, ZERO_ADDRESS, type AddressHex, type Hex, type Party, type PublicKeyHex, type SecretKeyHex } from '../core/index.ts'
import { assertRoomSecret, openInvite, type Invite } from '../core/sync/index.ts'
import { DemoError } from './errors.ts'

export interface DeskContext {
  readonly publicKey: PublicKeyHex
  /** To check the invite's room secret (derived from both parties' keys). */
  readonly secretKey: SecretKeyHex
  /** The desk's EVM account (no 0x): it authorises open and close and receives the payouts. */
  readonly evmAddress: AddressHex
  /** The chain and adjudicator the desk settles on. */
  readonly chainId: number
  readonly contract: AddressHex
  readonly oracle: PublicKeyHex
  readonly asset: { readonly symbol: string; readonly decimals: number }
  /** Largest deposit the desk puts into one channel (asset minor units). */
  readonly maxDeposit: bigint
  /**
   * Shortest challenge period the desk accepts (ms): the time it has to notice a dispute with an
   * old state and refute it. Hours, not seconds.
   */
  readonly minChallengePeriodMs: number
}

/** "1 h", "90 min", "1.5 h": a challenge period as an operator reads it. */
export function formatPeriod(ms: number): string {
  return ms % 3_600_000 === 0 || ms >= 3_600_000 ? `${+(ms / 3_600_000).toFixed(2)} h` : `${+(ms / 60_000).toFixed(2)} min`
}

export type CheckedInvite = Invite & { readonly channelId: Hex; readonly me: Party }

/** Opens `sealed` with `code` and checks it is for this desk; throws DemoError naming the reason. */
export function checkInvite(sealed: string, code: string, desk: DeskContext): CheckedInvite {
  let invite: ReturnType<typeof openInvite>
  try {
    invite = openInvite(sealed, code)
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e)
    throw new DemoError('INVITE_INVALID', msg, /code/.test(msg) ? 'code' : 'sealed')
  }
  const me = partyOf(invite.params, desk.publicKey)
  if (me === null || me !== otherParty(invite.inviterParty)) {
    throw new DemoError('NOT_FOR_ME', `the invite is for key ${invite.params[invite.inviterParty === 'A' ? 'partyB' : 'partyA'].slice(0, 12)}…, this desk is ${desk.publicKey.slice(0, 12)}… (GET /info)`, 'sealed')
  }
  try {
    assertRoomSecret(invite, desk.secretKey, me)
  } catch (e) {
    throw new DemoError('INVITE_INVALID', e instanceof Error ? e.message : String(e), 'sealed')
  }
  const p = invite.params
  if (p.chainId !== desk.chainId || p.contract !== desk.contract) {
    throw new DemoError('WRONG_CONTRACT', `the invite is for contract 0x${p.contract} on chain ${p.chainId}; the desk settles on 0x${desk.contract} on chain ${desk.chainId}`, 'sealed')
  }
  if (invite.contractId !== deploymentId(desk.chainId, desk.contract)) {
    throw new DemoError('WRONG_CONTRACT', `the invite's deployment id ${invite.contractId.slice(0, 12)}… is not the one of contract 0x${desk.contract} on chain ${desk.chainId}`, 'sealed')
  }
  if (partyAddress(p, me) !== desk.evmAddress) {
    throw new DemoError('NOT_FOR_ME', `the invite names EVM account 0x${partyAddress(p, me)} for the desk; the desk's account is 0x${desk.evmAddress} (GET /info: evmAddress)`, 'sealed')
  }
  const theirs = partyAddress(p, invite.inviterParty)
  if (theirs === ZERO_ADDRESS || theirs === desk.evmAddress) {
    throw new DemoError('INVITE_INVALID', `the invite names ${theirs === ZERO_ADDRESS ? 'no EVM account (the zero address)' : "the desk's own EVM account"} for the inviter: the channel could not be opened or paid out on chain`, 'sealed')
  }
  if (invite.params.oracle !== desk.oracle) {
    throw new DemoError('WRONG_ORACLE', `the invite names oracle ${invite.params.oracle.slice(0, 12)}…, the desk's oracle service attests with ${desk.oracle.slice(0, 12)}…`, 'sealed')
  }
  if (invite.params.asset !== desk.asset.symbol || invite.params.assetDecimals !== desk.asset.decimals) {
    throw new DemoError('WRONG_ASSET', `the channel settles in ${invite.params.asset}/${invite.params.assetDecimals}; the desk trades ${desk.asset.symbol}/${desk.asset.decimals}`, 'sealed')
  }
  if (invite.params.challengePeriod < desk.minChallengePeriodMs) {
    throw new DemoError('CHALLENGE_TOO_SHORT', `the desk accepts challenge periods of at least ${formatPeriod(desk.minChallengePeriodMs)} (time to refute a dispute with an old state); the invite asks ${formatPeriod(invite.params.challengePeriod)}`, 'sealed')
  }
  // Checked here, before the desk funds anything: a channel's total must fit the state's u128.
  if (invite.deposits.A + invite.deposits.B > U128_MAX) {
    throw new DemoError('DEPOSIT_TOO_LARGE', `the deposits add up to ${invite.deposits.A + invite.deposits.B}, more than a channel holds (2^128-1 minor units)`, 'sealed')
  }
  const mine = invite.deposits[me]
  if (mine > desk.maxDeposit) {
    throw new DemoError('DEPOSIT_TOO_LARGE', `the desk deposits at most ${desk.maxDeposit} minor units per channel; the invite asks ${mine}`, 'sealed')
  }
  return { ...invite, me }
}
