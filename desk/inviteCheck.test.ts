import { describe, expect, it } from 'vitest'
import { U128_MAX, ZERO_ADDRESS, bytesToHex, channelIdOf, deploymentId, evmKeyOf, generateKeyPair, type ChannelParams, type KeyPair } from '../core/index.ts'
import { newInviteCode, sealInvite } from '../core/sync/index.ts'
import { DemoError } from './errors.ts'
import { checkInvite, type DeskContext } from './inviteCheck.ts'

const desk = generateKeyPair()
const oracle = generateKeyPair().publicKey
const chainId = 31337
const contract = 'c0'.repeat(20)
const contractId = deploymentId(chainId, contract)
const deskEvm = evmKeyOf(desk.secretKey).address
const ctx: DeskContext = { publicKey: desk.publicKey, secretKey: desk.secretKey, evmAddress: deskEvm, chainId, contract, oracle, asset: { symbol: 'USDC', decimals: 6 }, maxDeposit: 1_000n, minChallengePeriodMs: 3_600_000 }

function invite(over: Partial<ChannelParams> = {}, deposits = { A: 500n, B: 500n }, inviter: KeyPair = generateKeyPair(), inviterIs: 'A' | 'B' = 'A') {
  const inviterEvm = evmKeyOf(inviter.secretKey).address
  const params: ChannelParams = {
    contractId,
    chainId,
    contract,
    partyA: inviterIs === 'A' ? inviter.publicKey : desk.publicKey,
    partyB: inviterIs === 'A' ? desk.publicKey : inviter.publicKey,
    evmA: inviterIs === 'A' ? inviterEvm : deskEvm,
    evmB: inviterIs === 'A' ? deskEvm : inviterEvm,
    nonce: bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
    challengePeriod: 3_600_000,
    asset: 'USDC',
    assetDecimals: 6,
    oracle,
    ...over,
  }
  const code = newInviteCode()
  const sealed = sealInvite({ contractId: params.contractId, inviter: inviter.publicKey, params, deposits, signaling: [] }, inviter.secretKey, code)
  return { sealed, code, params }
}

function refusal(f: () => unknown): DemoError {
  try {
    f()
  } catch (e) {
    if (e instanceof DemoError) return e
    throw e
  }
  throw new Error('expected a refusal')
}

describe('checkInvite', () => {
  it('accepts an invite for the desk on its node, as party B or party A', () => {
    const i = invite()
    const ok = checkInvite(i.sealed, i.code, ctx)
    expect([ok.me, ok.channelId, ok.deposits.B]).toEqual(['B', channelIdOf(i.params), 500n])
    const j = invite({}, { A: 1n, B: 2n }, generateKeyPair(), 'B')
    expect(checkInvite(j.sealed, j.code, ctx).me).toBe('A')
  })

  it('refuses a wrong code and damaged text', () => {
    const i = invite()
    expect([refusal(() => checkInvite(i.sealed, newInviteCode(), ctx)).code, refusal(() => checkInvite(i.sealed, newInviteCode(), ctx)).field]).toEqual(['INVITE_INVALID', 'code'])
    expect(refusal(() => checkInvite('hello', i.code, ctx)).code).toBe('INVITE_INVALID')
  })

  it('refuses invites for another key or EVM account, chain, contract, oracle or asset, and oversized deposits', () => {
    const stranger = generateKeyPair().publicKey
    const cases: [Partial<ChannelParams>, string][] = [
      [{ partyB: stranger }, 'NOT_FOR_ME'],
      [{ evmB: 'ab'.repeat(20) }, 'NOT_FOR_ME'],
      [{ evmA: ZERO_ADDRESS }, 'INVITE_INVALID'],
      [{ chainId: 1, contractId: deploymentId(1, contract) }, 'WRONG_CONTRACT'],
      [{ contract: 'c1'.repeat(20), contractId: deploymentId(chainId, 'c1'.repeat(20)) }, 'WRONG_CONTRACT'],
      [{ contractId: 'c1'.repeat(32) }, 'WRONG_CONTRACT'],
      [{ oracle: stranger }, 'WRONG_ORACLE'],
      [{ asset: 'USDT' }, 'WRONG_ASSET'],
      [{ assetDecimals: 2 }, 'WRONG_ASSET'],
    ]
    for (const [over, code] of cases) {
      const i = invite(over)
      expect(refusal(() => checkInvite(i.sealed, i.code, ctx)).code, JSON.stringify(over)).toBe(code)
    }
    const wrongEvm = invite({ evmB: 'ab'.repeat(20) })
    expect(refusal(() => checkInvite(wrongEvm.sealed, wrongEvm.code, ctx)).message).toBe(`the invite names EVM account 0x${'ab'.repeat(20)} for the desk; the desk's account is 0x${deskEvm} (GET /info: evmAddress)`)
    const big = invite({}, { A: 1n, B: 1_001n })
    expect(refusal(() => checkInvite(big.sealed, big.code, ctx)).code).toBe('DEPOSIT_TOO_LARGE')
    const fine = invite({}, { A: 1_000_000n, B: 1_000n })
    expect(checkInvite(fine.sealed, fine.code, ctx).me).toBe('B')
  })

  it('refuses a challenge period under the desk\'s floor, naming the floor (issue 17, finding 3)', () => {
    for (const challengePeriod of [1_000, 10_000, 3_599_999]) {
      const i = invite({ challengePeriod })
      const e = refusal(() => checkInvite(i.sealed, i.code, ctx))
      expect([e.code, e.field]).toEqual(['CHALLENGE_TOO_SHORT', 'sealed'])
      expect(e.message).toMatch(/at least 1 h\b/)
    }
    const atFloor = invite({ challengePeriod: 3_600_000 })
    expect(checkInvite(atFloor.sealed, atFloor.code, ctx).me).toBe('B')
  })

  it('refuses deposits whose sum leaves the state\'s range, whoever deposits it (issue 17, finding 5)', () => {
    const over = invite({}, { A: U128_MAX, B: 1n })
    const e = refusal(() => checkInvite(over.sealed, over.code, ctx))
    expect(e.code).toBe('DEPOSIT_TOO_LARGE')
    expect(e.message).toMatch(/2\^128-1/)
    const edge = invite({}, { A: U128_MAX - 1_000n, B: 1_000n })
    expect(checkInvite(edge.sealed, edge.code, ctx).me).toBe('B')
  })
})
