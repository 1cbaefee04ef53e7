// The channel records at rest: no room secret and no invite code in clear, records an earlier
// version kept in clear still load (and are written back without it), and every bad record is
// named, never thrown.
import 'fake-indexeddb/auto'
import { createStore, get, set } from 'idb-keyval'
import { describe, expect, it, vi } from 'vitest'
import { channelIdOf, generateKeyPair, toWire } from '../../core/index.ts'
import { channelRoomSecret, newInviteCode, openInvite, sealInvite } from '../../core/sync/index.ts'
import { keysA, keysB, makeParams } from '../../core/sync/testkit.ts'
import { config } from '../config.ts'
import { sealAtRest } from '../identity/sealAtRest.ts'
import { jsonText } from '../unread.ts'
import { LabelError, MAX_LABEL_CHARS, counterpartyName, loadChannelRecords, readChannelRecords, recordAtRest, renamedRecords, saveChannelRecords, type ChannelRecord } from './channelRecords.ts'

const store = createStore(`otc-channels-${config.profile}`, 'channels')

/** An inviter's record (party A, keysA) with a real sealed invite, as the app holds it. */
function invited(nonce: number, over: Partial<ChannelRecord> = {}): ChannelRecord {
  const params = makeParams(nonce)
  const code = newInviteCode()
  const deposits = { A: 1_000n, B: 500n }
  const sealed = sealInvite({ contractId: params.contractId, inviter: keysA.publicKey, params, deposits, signaling: [] }, keysA.secretKey, code)
  return { channelId: channelIdOf(params), params, me: 'A', roomSecret: channelRoomSecret(keysA.secretKey, params, 'A'), deposits, label: 'Bob', createdAt: 1, invite: { sealed, code }, ...over }
}

/** What versions before this one stored: the whole record in clear. */
const legacy = (r: ChannelRecord): unknown => toWire(r)

const stored = async (owner: string) => JSON.stringify((await get(owner, store)) ?? null)

describe('channel records at rest', () => {
  it('are written without the room secret and with the invite code sealed, and read back whole with the key', async () => {
    const owner = generateKeyPair() // a store key of its own: tests share the fake IndexedDB
    const params = { ...makeParams(3), partyA: owner.publicKey }
    const code = newInviteCode()
    const r: ChannelRecord = { channelId: channelIdOf(params), params, me: 'A', roomSecret: channelRoomSecret(owner.secretKey, params, 'A'), deposits: { A: 5n, B: 6n }, label: 'Bob', createdAt: 9, invite: { sealed: 'otc-invite-v1:xyz', code } }
    await saveChannelRecords(owner, [r], [])
    const text = await stored(owner.publicKey)
    expect(text, 'the room secret is not stored').not.toContain(r.roomSecret)
    expect(text, 'the invite code is not stored in clear').not.toContain(code)
    expect(text).not.toContain('roomSecret')
    expect(await loadChannelRecords(owner)).toEqual({ records: [r], damaged: [] })
  })

  it('an invite the app handed over itself (a demo desk) keeps no code at all', async () => {
    const owner = generateKeyPair()
    const params = { ...makeParams(4), partyA: owner.publicKey }
    const r: ChannelRecord = { channelId: channelIdOf(params), params, me: 'A', roomSecret: channelRoomSecret(owner.secretKey, params, 'A'), deposits: { A: 5n, B: 6n }, label: 'Desk', createdAt: 9, invite: { sealed: 'otc-invite-v1:xyz', code: newInviteCode() }, inviteDelivered: true, deskUrl: 'http://127.0.0.1:8600' }
    await saveChannelRecords(owner, [r], [])
    expect(JSON.parse(await stored(owner.publicKey))[0].invite).toEqual({ sealed: 'otc-invite-v1:xyz' })
    const { invite, ...rest } = r
    expect((await loadChannelRecords(owner)).records).toEqual([{ ...rest, invite: { sealed: invite!.sealed } }])
  })

  it('records kept in clear by an earlier version load as before, and are written back at once without the secret or the code in clear', async () => {
    const mine = invited(5)
    const delivered = invited(6, { inviteDelivered: true, deskUrl: 'http://127.0.0.1:8600' })
    const invitee: ChannelRecord = { ...invited(7), me: 'B', params: { ...makeParams(7), partyA: keysB.publicKey, partyB: keysA.publicKey } }
    const restored = { ...invitee, channelId: channelIdOf(invitee.params), roomSecret: channelRoomSecret(keysA.secretKey, invitee.params, 'B'), invite: undefined, restoredAt: 3 }
    delete (restored as { invite?: unknown }).invite
    await set(keysA.publicKey, [mine, delivered, restored].map(legacy), store)

    const loaded = await loadChannelRecords(keysA)
    expect(loaded.damaged).toEqual([])
    expect(loaded.records.map((r) => [r.channelId, r.roomSecret, r.invite?.code, r.storedNote])).toEqual([
      [mine.channelId, mine.roomSecret, mine.invite!.code, undefined],
      [delivered.channelId, delivered.roomSecret, undefined, undefined],
      [restored.channelId, restored.roomSecret, undefined, undefined],
    ])
    // The code shown after the reload still opens the invite that was sent.
    expect(openInvite(loaded.records[0]!.invite!.sealed, loaded.records[0]!.invite!.code!).roomSecret).toBe(mine.roomSecret)

    const text = await stored(keysA.publicKey)
    for (const r of [mine, delivered, restored]) expect(text, `${r.channelId.slice(0, 8)}'s room secret was written back`).not.toContain(r.roomSecret)
    for (const r of [mine, delivered]) expect(text, 'an invite code was written back in clear').not.toContain(r.invite!.code!)
    // Read again: the same records, nothing more to migrate.
    expect(await loadChannelRecords(keysA)).toEqual(loaded)
    expect(readChannelRecords(await get(keysA.publicKey, store), keysA).rewrite).toBeNull()
  })

  it('a write-back that fails (storage full, say) leaves the records as stored and the list is shown all the same', async () => {
    const r = invited(8)
    const owner = generateKeyPair()
    const mine: ChannelRecord = { ...r, params: { ...r.params, partyA: owner.publicKey }, channelId: channelIdOf({ ...r.params, partyA: owner.publicKey }), roomSecret: channelRoomSecret(owner.secretKey, { ...r.params, partyA: owner.publicKey }, 'A') }
    await set(owner.publicKey, [legacy(mine)], store)
    const before = await stored(owner.publicKey)
    const put = IDBObjectStore.prototype.put
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('the quota was exceeded', 'QuotaExceededError')
    }
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const loaded = await loadChannelRecords(owner)
      expect(loaded.records.map((x) => x.channelId)).toEqual([mine.channelId])
      expect(warn.mock.calls[0]?.[0]).toMatch(/^channel records: could not write them back without the secrets kept in clear \(.*quota.*\)/)
    } finally {
      IDBObjectStore.prototype.put = put
      warn.mockRestore()
    }
    expect(await stored(owner.publicKey)).toBe(before)
  })

  it('a stored room secret that differs from the derived one is dropped: the channel uses the derived one, and the list says so', () => {
    const r = invited(8)
    const read = readChannelRecords([{ ...(legacy(r) as object), roomSecret: '5a'.repeat(32) }], keysA)
    expect(read.damaged).toEqual([])
    expect(read.records[0]!.roomSecret, 'the room the counterparty derives too').toBe(channelRoomSecret(keysB.secretKey, r.params, 'B'))
    expect(read.records[0]!.storedNote).toMatch(/^channels\.0\.roomSecret: the room secret this record kept is not the one your key and Bob's give \(the record was altered\)\. The channel uses the one both keys give/)
    expect(JSON.stringify(read.rewrite)).not.toContain('5a'.repeat(32))
  })

  it('every bad record is named by its field, and the others still load', () => {
    const good = invited(9)
    const atRest = (r: ChannelRecord) => JSON.parse(JSON.stringify(legacy({ ...r, invite: { sealed: r.invite!.sealed } }))) as Record<string, unknown>
    const { roomSecret: _, ...noSecret } = atRest(good)
    const cases: [unknown, RegExp][] = [
      [{ ...noSecret, me: 'B' }, /^channels\.0\.me: this membership says you are party B of channel [0-9a-f]{12}…, but party B's key is not yours$/],
      [{ ...noSecret, params: { ...(noSecret.params as object), partyB: '00'.repeat(32) }, channelId: channelIdOf({ ...good.params, partyB: '00'.repeat(32) }) }, /^channels\.0\.params\.partyB: not a valid ed25519 public key/],
      [{ ...noSecret, invite: { sealed: 's', code: 'ABC', sealedCode: sealAtRest(keysA.secretKey, 'invite-code', good.channelId, 'ABC') } }, /^channels\.0\.invite: holds the invite code both in clear and sealed$/],
      [{ ...noSecret, invite: { sealed: 's', sealedCode: 'zz' } }, /^channels\.0\.invite\.sealedCode: expected a sealed invite code \(hex\)$/],
      [{ ...noSecret, roomSecret: 'nope' }, /^channels\.0\.roomSecret: /],
      [{ ...noSecret, channelId: 'ab'.repeat(32) }, /^channels\.0: channelId does not match its params$/],
      ['hello', /^channels\.0: /],
    ]
    for (const [entry, reason] of cases) {
      const read = readChannelRecords([entry, legacy(good)], keysA)
      expect(read.damaged, JSON.stringify(entry).slice(0, 80)).toHaveLength(1)
      expect(read.damaged[0]!.reason).toMatch(reason)
      expect(read.damaged[0]!.entry, 'the entry as it was stored').toEqual(entry)
      expect(read.records.map((r) => r.channelId)).toEqual([good.channelId])
      expect(read.rewrite?.[0], 'a damaged entry is written back as it was').toEqual(entry)
    }
    expect(readChannelRecords({ channels: [] }, keysA)).toEqual({ records: [], damaged: [{ reason: 'channels: expected a list of channel records, found object', entry: { channels: [] } }], rewrite: null })
  })

  it('an invite code that does not open with this key (altered, or sealed for another record) is said, and the channel still loads', () => {
    const r = invited(10)
    const { roomSecret: _, invite, ...rest } = JSON.parse(JSON.stringify(legacy(r))) as Record<string, unknown> & { invite: { sealed: string } }
    const otherChannel = sealAtRest(keysA.secretKey, 'invite-code', 'ee'.repeat(32), r.invite!.code!)
    const otherKey = sealAtRest(keysB.secretKey, 'invite-code', r.channelId, r.invite!.code!)
    for (const sealedCode of [otherChannel, otherKey]) {
      const read = readChannelRecords([{ ...rest, invite: { sealed: invite.sealed, sealedCode } }], keysA)
      expect(read.damaged).toEqual([])
      expect(read.records[0]!.invite).toEqual({ sealed: invite.sealed })
      expect(read.records[0]!.storedNote).toMatch(/^channels\.0\.invite\.sealedCode: the invite code kept for this channel does not open with your key \(the record was altered\), so the invite cannot be shown again\. If Bob has not joined, abandon the channel and invite them again\.$/)
    }
  })

  it('a damaged entry survives every save until the trader removes it, and a list that is not one is kept as an entry', async () => {
    const owner = generateKeyPair()
    const params = { ...makeParams(11), partyA: owner.publicKey }
    const good: ChannelRecord = { channelId: channelIdOf(params), params, me: 'A', roomSecret: channelRoomSecret(owner.secretKey, params, 'A'), deposits: { A: 5n, B: 6n }, label: 'Bob', createdAt: 9 }
    const broken = { channelId: 'ab'.repeat(32), params: { nonce: 'x' }, label: 'Carol', deposits: { A: '900000000' } }
    await set(owner.publicKey, [broken, recordAtRest(good, owner)], store)
    const first = await loadChannelRecords(owner)
    expect(first.records.map((r) => r.channelId)).toEqual([good.channelId])
    expect(first.damaged.map((d) => d.entry)).toEqual([broken])

    // a new channel is added: the save keeps the damaged entry as it was
    const params2 = { ...makeParams(12), partyA: owner.publicKey }
    const added: ChannelRecord = { ...good, channelId: channelIdOf(params2), params: params2, roomSecret: channelRoomSecret(owner.secretKey, params2, 'A'), label: 'Dan' }
    await saveChannelRecords(owner, [...first.records, added], first.damaged)
    const second = await loadChannelRecords(owner)
    expect(second.records.map((r) => r.label)).toEqual(['Bob', 'Dan'])
    expect(second.damaged.map((d) => d.entry), 'the damaged entry, unchanged').toEqual([broken])
    expect(second.damaged[0]!.reason).toBe(first.damaged[0]!.reason.replace(/^channels\.0/, 'channels.2'))

    // the trader removes it: gone, the records stay
    await saveChannelRecords(owner, second.records, [])
    expect(await loadChannelRecords(owner)).toEqual({ records: second.records, damaged: [] })

    // a stored value that is not a list at all is one damaged entry, written back by the next save
    await set(owner.publicKey, { channels: 'lost?' }, store)
    const third = await loadChannelRecords(owner)
    expect(third).toEqual({ records: [], damaged: [{ reason: 'channels: expected a list of channel records, found object', entry: { channels: 'lost?' } }] })
    await saveChannelRecords(owner, [good], third.damaged)
    const fourth = await loadChannelRecords(owner)
    expect(fourth.records).toEqual([good])
    expect(fourth.damaged.map((d) => d.entry)).toEqual([{ channels: 'lost?' }])
  })

  it('a damaged entry is offered as JSON text, bigints as digits, and never throws', () => {
    expect(JSON.parse(jsonText({ a: 1n, b: ['x'] }))).toEqual({ a: '1', b: ['x'] })
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(jsonText(cyclic)).toBe('[object Object]')
    expect(jsonText(undefined)).toBe('undefined')
  })
})

describe('renaming a counterparty', () => {
  /** The LabelError `typed` is refused with: its code and sentence. */
  const refusal = (typed: string) => {
    try {
      counterpartyName(typed)
    } catch (e) {
      if (e instanceof LabelError) return { code: e.code, message: e.message }
      throw e
    }
    throw new Error(`"${typed}" was taken as a name`)
  }

  it('takes a name trimmed, of 1 to 40 characters', () => {
    expect(counterpartyName('  Bob at Desk B \n')).toBe('Bob at Desk B')
    expect(counterpartyName('K')).toBe('K')
    expect(counterpartyName('x'.repeat(MAX_LABEL_CHARS))).toBe('x'.repeat(40))
    expect(counterpartyName('Zoë · 東京 desk')).toBe('Zoë · 東京 desk')
  })

  it.each([
    ['', 'LABEL_EMPTY', 'Type a name for the counterparty: it cannot be empty or only spaces.'],
    [' \t  ', 'LABEL_EMPTY', 'Type a name for the counterparty: it cannot be empty or only spaces.'],
    ['x'.repeat(41), 'LABEL_TOO_LONG', 'The name is 41 characters long; it may have at most 40. Shorten it.'],
    // Counted as the field's maxLength counts: an emoji is two.
    ['🙂'.repeat(21), 'LABEL_TOO_LONG', 'The name is 42 characters long; it may have at most 40. Shorten it.'],
    ['Bob\tSmith', 'LABEL_CONTROL_CHARACTER', 'The name holds an invisible control character (U+0009) at character 4: a name is plain text on one line. Type it again without it.'],
    ['Bob\nSmith', 'LABEL_CONTROL_CHARACTER', 'The name holds an invisible control character (U+000A) at character 4: a name is plain text on one line. Type it again without it.'],
    ['🙂A\u0000', 'LABEL_CONTROL_CHARACTER', 'The name holds an invisible control character (U+0000) at character 3: a name is plain text on one line. Type it again without it.'],
    ['Bob\u202Eksed', 'LABEL_CONTROL_CHARACTER', 'The name holds an invisible control character (U+202E) at character 4: a name is plain text on one line. Type it again without it.'],
    ['a\u2028b', 'LABEL_CONTROL_CHARACTER', 'The name holds an invisible control character (U+2028) at character 2: a name is plain text on one line. Type it again without it.'],
    ['x\u0085', 'LABEL_CONTROL_CHARACTER', 'The name holds an invisible control character (U+0085) at character 2: a name is plain text on one line. Type it again without it.'],
  ])('refuses %j with %s and says what is wrong', (typed, code, message) => {
    expect(refusal(typed)).toEqual({ code, message })
  })

  it("changes the label of that record only: every other record is the same object, and the renamed one differs in nothing else", () => {
    const [a, b, c] = [invited(40), invited(41, { label: 'peer KQNRC' }), invited(42)]
    const next = renamedRecords([a, b, c], b.channelId, '  Carol  ')
    expect(next[0]).toBe(a)
    expect(next[2]).toBe(c)
    expect(next[1]).toEqual({ ...b, label: 'Carol' })
  })

  it('refuses a bad name or a channel no longer listed, and leaves the records as they were', () => {
    const list = [invited(43), invited(44)]
    const before = structuredClone(list)
    expect(() => renamedRecords(list, list[0]!.channelId, '')).toThrow(LabelError)
    expect(() => renamedRecords(list, 'ff'.repeat(32), 'Carol')).toThrow('Channel ffffffff is no longer in your list, so nothing was renamed.')
    expect(list).toEqual(before)
  })

  it('a renamed record is stored with its new name and reads back whole, beside the others and a damaged entry', async () => {
    const owner = generateKeyPair()
    const mine = (nonce: number, label: string): ChannelRecord => {
      const params = { ...makeParams(nonce), partyA: owner.publicKey }
      return { channelId: channelIdOf(params), params, me: 'A', roomSecret: channelRoomSecret(owner.secretKey, params, 'A'), deposits: { A: 5n, B: 6n }, label, createdAt: nonce, restoredAt: nonce }
    }
    const [first, restored] = [mine(45, 'Alice'), mine(46, 'peer KQNRC')]
    await set(owner.publicKey, [recordAtRest(first, owner), recordAtRest(restored, owner), { broken: true }], store)
    const loaded = await loadChannelRecords(owner)
    const longest = 'Ü'.repeat(MAX_LABEL_CHARS)
    await saveChannelRecords(owner, renamedRecords(loaded.records, restored.channelId, longest), loaded.damaged)
    const again = await loadChannelRecords(owner)
    expect(again.records, 'the longest name fits what is stored').toEqual([first, { ...restored, label: longest }])
    expect(again.damaged.map((d) => d.entry)).toEqual([{ broken: true }])
  })
})
