import { describe, expect, it } from 'vitest'
import { evmKeyOf, fingerprint, generateKeyPair } from '../../core/index.ts'
import { pendingFromFree } from '../settlement/walletMoves.ts'
import { checkProposal, depositShortfall, formatChallengePeriod, inviteRefusal, proposeChannel, shortChallengeWarning, SHORT_CHALLENGE_MS, type ChannelProposal, type ChannelVenue } from './proposal.ts'

const me = generateKeyPair()
const them = generateKeyPair()
const myEvm = evmKeyOf(me.secretKey).address
const theirEvm = evmKeyOf(them.secretKey).address
const venue: ChannelVenue = { chainId: 31337, contract: '11'.repeat(20), oracle: generateKeyPair().publicKey, myEvm }
const problemsOf = (...a: Parameters<typeof checkProposal>) => checkProposal(...a).problems
const good: ChannelProposal = { counterparty: `${them.publicKey}@0x${theirEvm}`, label: 'Bob', myDeposit: '50000', theirDeposit: '50000', challengeHours: '24' }

describe('a channel proposal: every field says what is wrong with it', () => {
  it('a good proposal has no problem and becomes a record with its sealed invite', () => {
    expect(problemsOf(me, good, myEvm)).toEqual({})
    const r = proposeChannel(me, good, venue, 1)
    expect(r.params).toMatchObject({ partyA: me.publicKey, partyB: them.publicKey, evmA: myEvm, evmB: theirEvm, challengePeriod: 24 * 3_600_000 })
    expect(r.deposits).toEqual({ A: 50_000_000_000n, B: 50_000_000_000n })
    expect(r.invite?.sealed).toMatch(/^otc-invite-v1:/)
  })

  it('names the problem of each bad field at once, not only the first', () => {
    const p = problemsOf(me, { ...good, counterparty: 'not a key', myDeposit: '-5', theirDeposit: '1.1234567', challengeHours: '0' }, myEvm)
    expect(p).toEqual({
      counterparty: expect.stringMatching(/^contact: expected the public key/),
      myDeposit: 'your deposit: must not be negative',
      theirDeposit: 'their deposit: at most 6 decimal places',
      challengeHours: 'challenge period: 0 hours is not between 1 second and 720 hours',
    })
    expect(problemsOf(me, { ...good, challengeHours: 'a day' }, myEvm).challengeHours).toBe('challenge period: "a day" is not a number of hours (write it as 24 or 1.5)')
    expect(problemsOf(me, { ...good, challengeHours: '' }, myEvm).challengeHours).toBe('challenge period: "" is not a number of hours (write it as 24 or 1.5)')
    expect(problemsOf(me, { ...good, challengeHours: '721' }, myEvm).challengeHours).toBe('challenge period: 721 hours is not between 1 second and 720 hours')
    expect(problemsOf(me, { ...good, myDeposit: '0', theirDeposit: '0.000' }, myEvm)).toEqual({ deposits: 'deposits: at least one side must deposit something' })
  })

  it('checks a typed name as a rename does (1-40 printable characters); none typed names them by their key', () => {
    expect(problemsOf(me, { ...good, label: 'x'.repeat(41) }, myEvm)).toEqual({ label: 'The name is 41 characters long; it may have at most 40. Shorten it.' })
    expect(problemsOf(me, { ...good, label: 'Bob\u0007' }, myEvm).label).toMatch(/^The name holds an invisible control character \(U\+0007\) at character 4/)
    expect(() => proposeChannel(me, { ...good, label: 'x'.repeat(41) }, venue, 1)).toThrow('The name is 41 characters long')
    expect(proposeChannel(me, { ...good, label: '  Desk B  ' }, venue, 1).label).toBe('Desk B')
    expect(proposeChannel(me, { ...good, label: '   ' }, venue, 1).label).toBe(`peer ${fingerprint(them.publicKey).slice(0, 5)}`)
  })

  it('reads the challenge period as plain decimal hours only (Number() would take hex and exponents)', () => {
    for (const text of ['0x18', '1e1', 'Infinity', '24h', '+24', '1_0']) expect(problemsOf(me, { ...good, challengeHours: text }, myEvm).challengeHours, text).toBe(`challenge period: "${text}" is not a number of hours (write it as 24 or 1.5)`)
    expect(checkProposal(me, { ...good, challengeHours: ' 1.5 ' }, myEvm).challengePeriod).toBe(5_400_000)
  })

  it('bounds the deposits by what the contract can hold in one channel, each and together, in the asset units', () => {
    const max = (1n << 128n) - 1n
    const asUnits = (minor: bigint) => `${minor / 1_000_000n}.${(minor % 1_000_000n).toString().padStart(6, '0')}`
    const p = problemsOf(me, { ...good, myDeposit: asUnits(max + 1n) }, myEvm)
    expect(p.myDeposit).toMatch(/^your deposit: at most 340,282,366,920,938,463,463,374,607,431,768\.21\d* USDC$/)
    expect(problemsOf(me, { ...good, myDeposit: asUnits(max), theirDeposit: '0' }, myEvm)).toEqual({})
    expect(problemsOf(me, { ...good, myDeposit: asUnits(max), theirDeposit: '0.000001' }, myEvm)).toEqual({ deposits: expect.stringMatching(/^deposits: together at most .* USDC, the most the contract can hold in one channel$/) })
  })

  it('refuses the trader as their own counterparty, by key or by account', () => {
    expect(problemsOf(me, { ...good, counterparty: `${me.publicKey}@0x${theirEvm}` }, myEvm).counterparty).toBe('counterparty: that is your own key')
    expect(problemsOf(me, { ...good, counterparty: `${them.publicKey}@0x${myEvm}` }, myEvm).counterparty).toBe('counterparty: that EVM address is your own account')
  })

  it('proposeChannel throws the first problem and builds nothing', () => {
    expect(() => proposeChannel(me, { ...good, myDeposit: 'lots', challengeHours: '0' }, venue, 1)).toThrow('your deposit: "lots" is not a decimal number')
  })

  it('says when the contract holds less than the deposit free for the trader (the invite may still go)', () => {
    expect(depositShortfall(50_000_000_000n, 100_000_000_000n)).toBeNull()
    expect(depositShortfall(50_000_000_000n, 50_000_000_000n)).toBeNull()
    expect(depositShortfall(50_000_000_000n, null)).toBeNull()
    expect(depositShortfall(50_000_000_000n, 20_000_500_000n)).toBe('The contract holds 20,000.50 USDC free for you: deposit 29,999.50 USDC more before the channel opens on the contract.')
  })

  it('counts what is pending against the free balance (an open sent and not mined), and names it', () => {
    const pending = pendingFromFree([{ status: 'pending', move: { kind: 'open', amount: 60_000_000_000n, channelId: 'c1', counterparty: 'Desk B' } }])
    expect(depositShortfall(50_000_000_000n, 100_000_000_000n, undefined, pending)).toBe(
      'The contract holds 100,000.00 USDC free for you, and 60,000.00 USDC of it is in the open of your channel with Desk B, sent and not mined yet: deposit 10,000.00 USDC more before the channel opens on the contract.',
    )
    expect(depositShortfall(40_000_000_000n, 100_000_000_000n, undefined, pending)).toBeNull()
    expect(depositShortfall(50_000_000_000n, null, undefined, pending)).toBeNull()
  })
})

describe('the challenge period as the trader reads it', () => {
  it('in the unit that fits, never rounded to nothing', () => {
    expect(formatChallengePeriod(3_600)).toBe('3.6 s')
    expect(formatChallengePeriod(1_000)).toBe('1 s')
    expect(formatChallengePeriod(12 * 60_000)).toBe('12 min')
    expect(formatChallengePeriod(90 * 60_000)).toBe('1 h 30 min')
    expect(formatChallengePeriod(24 * 3_600_000)).toBe('24 h')
  })
  it('is said to be short under an hour, with what it means', () => {
    expect(shortChallengeWarning(3_600)).toBe('a challenge period of 3.6 s leaves that long to answer a dispute made with an old state before it becomes final: stay online, or keep the watchtower holding your latest state (an hour or more is usual)')
    expect(shortChallengeWarning(SHORT_CHALLENGE_MS - 1)).not.toBeNull()
    expect(shortChallengeWarning(SHORT_CHALLENGE_MS)).toBeNull()
  })
})

describe('an opened invite is accepted only for this contract, its asset, its oracle and this trader account', () => {
  const oracle = generateKeyPair().publicKey
  const mine = '11'.repeat(20)
  const theirs = '22'.repeat(20)
  const invite = { contractId: 'c1', inviterParty: 'A' as const, params: { oracle, asset: 'USDC', assetDecimals: 6, evmA: theirs, evmB: mine } }
  const deployment = { contractId: 'c1', oracle, asset: { symbol: 'USDC', decimals: 6 }, myEvm: mine }
  it('the same contract, asset and oracle, naming my account: nothing against it', () => {
    expect(inviteRefusal(invite, deployment)).toBeNull()
    expect(inviteRefusal({ ...invite, inviterParty: 'B', params: { ...invite.params, evmA: mine, evmB: theirs } }, deployment), 'invited by party B: my account is evmA').toBeNull()
  })
  it('another oracle: refused, naming both keys and why (it settles every option)', () => {
    const other = generateKeyPair().publicKey
    const r = inviteRefusal({ ...invite, params: { ...invite.params, oracle: other } }, deployment)
    expect(r).toContain(fingerprint(other))
    expect(r).toContain(fingerprint(oracle))
    expect(r).toMatch(/settle them at any price: it cannot be accepted/)
  })
  it("this app's oracle not read yet: it cannot tell, so it waits", () => {
    expect(inviteRefusal(invite, { ...deployment, oracle: null })).toMatch(/^This app has not read its oracle's key yet/)
  })
  it('another contract: refused first', () => {
    expect(inviteRefusal(invite, { ...deployment, contractId: 'c2', oracle: null })).toMatch(/another settlement contract/)
  })
  it("another asset or other decimals than the contract's: refused, naming both", () => {
    expect(inviteRefusal({ ...invite, params: { ...invite.params, assetDecimals: 18 } }, deployment)).toBe(
      "This invite is for USDC counted in 18 decimals, but this deployment's contract holds USDC in 6: its amounts would not mean what they show, and the contract would not open it.",
    )
    expect(inviteRefusal({ ...invite, params: { ...invite.params, asset: 'USDT' } }, deployment)).toMatch(/^This invite is for USDT counted in 6 decimals, but this deployment's contract holds USDC in 6/)
  })
  it('an EVM account for me that is not mine: refused, naming both; my wallet not read yet: it waits', () => {
    expect(inviteRefusal({ ...invite, params: { ...invite.params, evmB: theirs } }, deployment)).toBe(
      `This invite names the EVM account 0x${theirs} for you, not yours (0x${mine}): the contract would pay your side to it. The inviter must use your whole contact.`,
    )
    expect(inviteRefusal(invite, { ...deployment, myEvm: null })).toMatch(/^This app has not read your EVM account yet/)
  })
})
