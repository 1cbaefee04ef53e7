import { describe, expect, it } from 'vitest'
import { signAttestation, type SignedAttestation } from '../../core/index.ts'
import { btcPackage, put, testChannel, testKey } from '../../core/testkit.ts'
import { readSignedPrice } from './useDayOpen.ts'

const ch = testChannel()
const terms = btcPackage(ch.oracle.publicKey, [put(60_000, 1)])
const DAY = Date.UTC(2026, 0, 5)
const signed = (over: Partial<SignedAttestation['attestation']> = {}, key = ch.oracle): SignedAttestation =>
  signAttestation({ oracle: key.publicKey, feed: 'BTC-USD', instant: DAY, price: 5_600_000n, decimals: 2, ...over }, key.secretKey)
const answering = (s: SignedAttestation) => async () => s

describe('readSignedPrice: the day-open price, checked as a settle checks a fixing', () => {
  it("keeps the oracle's signed price of the feed at the instant", async () => {
    const asked: [string, number][] = []
    const price = await readSignedPrice(async (feed, instant) => (asked.push([feed, instant]), signed()), terms, DAY)
    expect(price).toEqual({ price: 5_600_000n, decimals: 2 })
    expect(asked).toEqual([['BTC-USD', DAY]])
  })

  it('refuses a price from another oracle key, for another feed, instant or decimals, or with a bad signature', async () => {
    await expect(readSignedPrice(answering(signed({}, testKey('mallory'))), terms, DAY)).rejects.toThrow('attestation is signed by another oracle key')
    await expect(readSignedPrice(answering(signed({ feed: 'ETH-USD' })), terms, DAY)).rejects.toThrow('attestation is for feed ETH-USD, the position settles on BTC-USD')
    await expect(readSignedPrice(answering(signed({ instant: DAY + 1 })), terms, DAY)).rejects.toThrow('attestation is for 2026-01-05')
    await expect(readSignedPrice(answering(signed({ decimals: 4 })), terms, DAY)).rejects.toThrow('attestation has 4 price decimals, the terms use 2')
    const s = signed()
    await expect(readSignedPrice(answering({ ...s, attestation: { ...s.attestation, price: 1n } }), terms, DAY)).rejects.toThrow('attestation signature is invalid')
  })

  it("passes on the oracle service's refusal (the hook asks again after a pause)", async () => {
    await expect(readSignedPrice(() => Promise.reject(new Error('oracle: 404 not attested')), terms, DAY)).rejects.toThrow('oracle: 404 not attested')
  })
})
