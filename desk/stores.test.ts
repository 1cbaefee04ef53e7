import { afterAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NO_EVM_BINDING, bytesToHex, channelIdOf, generateKeyPair, toWire, type ChannelParams } from '../core/index.ts'
import { channelRoomSecret } from '../core/sync/index.ts'
import { ChannelList, type ChannelEntry } from './channels.ts'
import { loadOrCreateIdentity } from './identity.ts'

const made: string[] = []
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'otc-demo-unit-'))
  made.push(d)
  return d
}
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** The desk's own key: the list derives each channel's room secret from it. */
const desk = generateKeyPair()

function entry(): ChannelEntry {
  const params: ChannelParams = {
    contractId: 'c0'.repeat(32),
    ...NO_EVM_BINDING,
    partyA: generateKeyPair().publicKey,
    partyB: desk.publicKey,
    nonce: bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
    challengePeriod: 86_400_000,
    asset: 'USDC',
    assetDecimals: 6,
    oracle: generateKeyPair().publicKey,
  }
  return { channelId: channelIdOf(params), params, me: 'B', roomSecret: channelRoomSecret(desk.secretKey, params, 'B'), deposits: { A: 50_000_000_000n, B: 1n }, acceptedAt: 1 }
}

const listFile = (d: string) => JSON.parse(readFileSync(join(d, 'channels.json'), 'utf8')) as { v: 1; channels: Record<string, unknown>[] }

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
  it('round-trips entries (bigint deposits included) through the file, which keeps no room secret', async () => {
    const d = dir()
    const list = await ChannelList.load(d, desk)
    const e = entry()
    await list.add(e)
    expect(readFileSync(join(d, 'channels.json'), 'utf8')).not.toContain(e.roomSecret)
    expect(listFile(d).channels[0]).not.toHaveProperty('roomSecret')
    const loaded = await ChannelList.load(d, desk)
    expect(loaded.all()).toEqual([e])
    expect(loaded.damaged).toEqual([])
  })

  it('reports a damaged entry and keeps it in the file, as it was, through every write', async () => {
    const d = dir()
    const list = await ChannelList.load(d, desk)
    await list.add(entry())
    const file = listFile(d)
    const otherSide = { ...file.channels[0], me: 'A' }
    file.channels.push({ ...file.channels[0], channelId: 'ff'.repeat(32) }, { nonsense: true }, otherSide)
    writeFileSync(join(d, 'channels.json'), JSON.stringify(file))
    const loaded = await ChannelList.load(d, desk)
    expect(loaded.all()).toHaveLength(1)
    expect(loaded.damaged).toHaveLength(3)
    expect(loaded.damaged[0]).toMatch(/^channels\.1: channelId does not match/)
    expect(loaded.damaged[1]).toMatch(/^channels\.2\./)
    expect(loaded.damaged[2]).toMatch(/^channels\.3\.me: this membership says you are party A of channel/)
    const added = entry()
    await loaded.add(added)
    await loaded.remove(loaded.all()[0]!.channelId)
    const after = listFile(d).channels
    expect(after.slice(1), 'the damaged entries, unchanged').toEqual(file.channels.slice(1))
    const again = await ChannelList.load(d, desk)
    expect(again.all()).toEqual([added])
    expect(again.damaged).toHaveLength(3)
  })

  it('a write that fails takes nothing: the entry leaves memory too, the error says the list could not be stored (503)', async () => {
    const d = dir()
    const list = await ChannelList.load(d, desk)
    const kept = entry()
    await list.add(kept)
    const onDisk = readFileSync(join(d, 'channels.json'), 'utf8')
    // The atomic write's temporary file cannot be made: it is a directory.
    mkdirSync(join(d, 'channels.json.tmp'))
    const e = entry()
    const err = (await list.add(e).catch((x: unknown) => x)) as { status?: number; code?: string; message?: string }
    expect([err.status, err.code]).toEqual([503, 'STORAGE_UNAVAILABLE'])
    expect(err.message).toMatch(new RegExp(`^the desk could not store its channel list ${join(d, 'channels.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(.*EISDIR.*\\), so it did not take channel ${e.channelId.slice(0, 8)}…; nothing of it was kept`))
    // Before: the entry stayed in memory, so a repeat of the invite answered 200 with nothing on disk.
    expect(list.get(e.channelId)).toBeUndefined()
    expect(list.all()).toEqual([kept])
    expect(readFileSync(join(d, 'channels.json'), 'utf8')).toBe(onDisk)
    // Once the directory is fixed, the same channel is taken (and a later write keeps no trace of the failed one).
    rmSync(join(d, 'channels.json.tmp'), { recursive: true })
    await list.add(e)
    expect((await ChannelList.load(d, desk)).all()).toEqual([kept, e])
  })

  it('a list an earlier version wrote with the room secrets loads as before and is written back without them at once', async () => {
    const d = dir()
    const [e, altered] = [entry(), entry()]
    const wire = (x: ChannelEntry, roomSecret: string) => ({ ...(toWire(x) as Record<string, unknown>), roomSecret })
    writeFileSync(join(d, 'channels.json'), JSON.stringify({ v: 1, channels: [wire(e, e.roomSecret), wire(altered, '5a'.repeat(32))] }))
    const loaded = await ChannelList.load(d, desk)
    expect(loaded.all()).toEqual([e, altered])
    expect(loaded.damaged).toEqual([])
    expect(loaded.notes).toEqual([expect.stringMatching(/^channels\.1\.roomSecret: the room secret kept for channel [0-9a-f]{12}… is not the one the desk's key gives \(the file was altered\); the derived one is used/)])
    const text = readFileSync(join(d, 'channels.json'), 'utf8')
    expect(text).not.toContain('roomSecret')
    expect(text).not.toContain(e.roomSecret)
  })
})
