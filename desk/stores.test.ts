import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NO_EVM_BINDING, bytesToHex, channelIdOf, generateKeyPair, type ChannelParams } from '../core/index.ts'
import { ChannelList, type ChannelEntry } from './channels.ts'
import { loadOrCreateIdentity } from './identity.ts'

const made: string[] = []
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'otc-demo-unit-'))
  made.push(d)
  return d
}
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })))

function entry(): ChannelEntry {
  const params: ChannelParams = {
    contractId: 'c0'.repeat(32),
    ...NO_EVM_BINDING,
    partyA: generateKeyPair().publicKey,
    partyB: generateKeyPair().publicKey,
    nonce: bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
    challengePeriod: 86_400_000,
    asset: 'USDC',
    assetDecimals: 6,
    oracle: generateKeyPair().publicKey,
  }
  return { channelId: channelIdOf(params), params, me: 'B', roomSecret: 'ab'.repeat(32), deposits: { A: 50_000_000_000n, B: 1n }, acceptedAt: 1 }
}

describe('identity file', () => {
  it('creates a key once (mode 0600) and loads the same key afterwards', async () => {
    const d = dir()
    const first = await loadOrCreateIdentity(d)
    const again = await loadOrCreateIdentity(d)
    expect(first.created).toBe(true)
    expect(again).toEqual({ keys: first.keys, created: false })
    expect(statSync(join(d, 'identity.json')).mode & 0o777).toBe(0o600)
  })

  it('refuses a damaged or mismatched file instead of replacing the key', async () => {
    const d = dir()
    writeFileSync(join(d, 'identity.json'), '{"v":1,')
    await expect(loadOrCreateIdentity(d)).rejects.toMatchObject({ code: 'DATA_CORRUPT' })
    const k = generateKeyPair()
    writeFileSync(join(d, 'identity.json'), JSON.stringify({ v: 1, publicKey: generateKeyPair().publicKey, secretKey: k.secretKey }))
    await expect(loadOrCreateIdentity(d)).rejects.toMatchObject({ code: 'DATA_CORRUPT' })
  })
})

describe('channel list', () => {
  it('round-trips entries (bigint deposits included) through the file', async () => {
    const d = dir()
    const list = await ChannelList.load(d)
    const e = entry()
    await list.add(e)
    const loaded = await ChannelList.load(d)
    expect(loaded.all()).toEqual([e])
    expect(loaded.damaged).toEqual([])
  })

  it('skips a damaged entry and reports it, keeping the others', async () => {
    const d = dir()
    const list = await ChannelList.load(d)
    await list.add(entry())
    const file = JSON.parse(readFileSync(join(d, 'channels.json'), 'utf8'))
    file.channels.push({ ...file.channels[0], channelId: 'ff'.repeat(32) }, { nonsense: true })
    writeFileSync(join(d, 'channels.json'), JSON.stringify(file))
    const loaded = await ChannelList.load(d)
    expect(loaded.all()).toHaveLength(1)
    expect(loaded.damaged).toHaveLength(2)
    expect(loaded.damaged[0]).toMatch(/channelId does not match/)
  })
})
