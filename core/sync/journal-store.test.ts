import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { appendFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { quoteHash } from '../quote.ts'
import { FileChannelStore } from './file-store.ts'
import { FileJournal } from './journal-store.ts'
import { ChannelSession } from './session.ts'
import { SessionStorage } from './session-storage.ts'
import { createVerifier } from './verifier.ts'
import { MemoryChannelStore, record, type ChannelStore, type StoredChannel, type UnreadableRecord } from './store.ts'
import { SimNet, T0, DAY, keysA, keysB, makeParams, openingSigned, quotePool, rng, storeWithOpening } from './testkit.ts'

const dirs: string[] = []
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'otc-journal-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const key = (n: number) => n.toString(16).padStart(2, '0').repeat(32)
const update = (n: number) => new Uint8Array([n, n + 1, n + 2])
const isUnreadable = (r: unknown) => (r as { k: string }).k === 'unreadable'
/** The intents of a channel's records, without the unreadable records the journal gives it (see `unread`). */
const intents = (c: StoredChannel) => c.records.filter((r) => !isUnreadable(r)).map((r) => (r as { intent: string }).intent)
/** The unreadable records a channel's load is given for lines of records.log the journal cannot read: [byte, version]. */
const unread = (c: StoredChannel) => c.records.filter(isUnreadable).map((r) => [Number(/byte (\d+)/.exec((r as UnreadableRecord).why)![1]), (r as UnreadableRecord).version])
const bytes = (c: StoredChannel) => c.updates.map((u) => [...u])

/** The pieces of <d>/damaged.log (none if it does not exist): each a header line, then exactly the bytes it names, then a newline. */
function setAside(d: string): Array<{ head: string; bytes: Buffer }> {
  const path = join(d, 'damaged.log')
  if (!existsSync(path)) return []
  const file = readFileSync(path)
  const out: Array<{ head: string; bytes: Buffer }> = []
  for (let off = 0; off < file.length; ) {
    const nl = file.indexOf(10, off)
    const head = file.toString('utf8', off, nl)
    const m = /^=== \d{4}-\d\d-\d\dT[\d:.]+Z (records|updates)\.log byte \d+, (\d+) bytes, set aside by (the opening|a rewrite): ./.exec(head)
    expect(m, head).not.toBeNull()
    const n = Number(m![2])
    expect(file[nl + 1 + n], 'the newline after a piece').toBe(10)
    out.push({ head, bytes: file.subarray(nl + 1, nl + 1 + n) })
    off = nl + 2 + n
  }
  return out
}
/** A piece's header without its time (the same history set aside at two times reads the same). */
const untimed = (p: { head: string; bytes: Buffer }) => ({ head: p.head.replace(/^=== \S+ /, ''), bytes: p.bytes })

describe('FileJournal: the ChannelStore contract for many channels in one pair of logs', () => {
  it('gives each channel its records and updates in order, replace keeps only the compact form, and a reopen gives the same', async () => {
    const d = dir()
    const j = await FileJournal.open(d)
    const [s1, s2, s3] = [j.store(key(1)), j.store(key(2)), j.store(key(3))]
    // Interleaved, partly in one turn, partly awaited.
    await Promise.all([s1.append([record.approve('1a')]), s2.append([record.approve('2a')]), s1.appendUpdate(update(10)), s2.appendUpdate(update(20))])
    await Promise.all([s3.append([record.approve('3a'), record.approve('3b')]), s1.append([record.approve('1b')]), s2.appendUpdate(update(21))])
    await s2.replace([record.approve('2-kept')], update(29))
    await Promise.all([s2.append([record.approve('2c')]), s2.appendUpdate(update(30)), s1.appendUpdate(update(11))])
    const expected = new Map([
      [key(1), { intents: ['1a', '1b'], updates: [[10, 11, 12], [11, 12, 13]] }],
      [key(2), { intents: ['2-kept', '2c'], updates: [[29, 30, 31], [30, 31, 32]] }],
      [key(3), { intents: ['3a', '3b'], updates: [] }],
    ])
    // The same journal reads the files again for channels written since it opened.
    for (const [k, e] of expected) {
      const c = await j.store(k).load()
      expect([intents(c), bytes(c)], `channel ${k.slice(0, 2)} before reopen`).toEqual([e.intents, e.updates])
    }
    s3.appendUpdate(update(40)) // not awaited: closing the journal still writes it
    await j.close()
    expected.get(key(3))!.updates.push([40, 41, 42])
    const again = await FileJournal.open(d)
    for (const [k, e] of expected) {
      const c = await again.store(k).load()
      expect([intents(c), bytes(c)], `channel ${k.slice(0, 2)} after reopen`).toEqual([e.intents, e.updates])
    }
    expect(await again.store(key(9)).load(), 'a channel never written').toEqual({ records: [], updates: [] })
    expect(again.stats.skippedLines).toBe(0)
    await again.close()
    await expect(again.store(key(1)).append([record.approve('late')])).rejects.toThrow(/journal .* is closed/)
  })

  it('group commit: the record appends of many channels in one turn cost one write and one fsync, their doc updates one write', async () => {
    const j = await FileJournal.open(dir())
    const stores = Array.from({ length: 20 }, (_, i) => j.store(key(i + 1)))
    await Promise.all(stores.flatMap((s, i) => [s.append([record.approve(`t1-${i}`)]), s.appendUpdate(update(i))]))
    expect(j.stats).toMatchObject({ recordWrites: 1, fsyncs: 1, updateWrites: 1 })
    await Promise.all(stores.map((s, i) => s.append([record.approve(`t2-${i}`), record.decline(`t2-${i}`)])))
    expect(j.stats).toMatchObject({ recordWrites: 2, fsyncs: 2, updateWrites: 1 })
    // Appends arriving while a write is in flight go out together in the next one.
    const first = stores[0]!.append([record.approve('alone')])
    await new Promise((r) => setImmediate(r)) // the first batch has started
    const later = stores.slice(1).map((s) => s.append([record.approve('later')]))
    await Promise.all([first, ...later])
    expect(j.stats.fsyncs).toBe(4)
    expect(intents(await stores[5]!.load())).toEqual(['t1-5', 't2-5', 't2-5', 'later'])
    await j.close()
  })

  it('a failed write rejects its appends and every later one, naming the journal, and keeps what was acknowledged', async () => {
    const d = dir()
    const lines: string[] = []
    const j = await FileJournal.open(d, { log: (l) => lines.push(l) })
    const s = j.store(key(1))
    await s.append([record.approve('kept')])
    // The records log's handle fails underneath the journal (as a full or failing disk would).
    await (j as unknown as { recordsFh: { close(): Promise<void> } }).recordsFh.close()
    await expect(s.append([record.approve('lost')])).rejects.toThrow(/journal .*otc-journal-/)
    await expect(s.append([record.approve('later')])).rejects.toThrow(/failed a write and takes no more \(restart the process\)/)
    await expect(j.store(key(2)).appendUpdate(update(1))).rejects.toThrow(/failed a write/)
    expect(lines).toEqual([expect.stringMatching(/^a write failed, the journal takes no more \(restart the process\): journal .*otc-journal-/)])
    await j.close().catch(() => undefined)
    const again = await FileJournal.open(d)
    expect(intents(await again.store(key(1)).load())).toEqual(['kept'])
    await again.close()
  })

  it('refuses a channel key that is not a channel id, naming it', async () => {
    const j = await FileJournal.open(dir())
    expect(() => j.store('abc')).toThrow(/channel key must be a channel id \(64 lowercase hex characters\), got "abc"/)
    expect(() => j.store('AB'.repeat(32))).toThrow(/64 lowercase hex/)
    expect(() => j.store(42 as unknown as string)).toThrow(/got 42/)
    await expect(j.migrate('../etc', dir())).rejects.toThrow(/channel key must be a channel id/)
    await expect(FileJournal.open(dir(), { rewriteAt: -1 })).rejects.toThrow(/rewriteAt must be a positive number of bytes/)
    await j.close()
  })
})

/** Resolves `n` turns of the microtask queue after `p` does (one `then` each). */
function microtasksAfter(p: Promise<unknown>, n: number): Promise<unknown> {
  for (let i = 0; i < n; i++) p = p.then(() => undefined)
  return p
}
const CLOSED = /^journal .*otc-journal-\S* is closed$/

describe('FileJournal closing while channels still write', () => {
  it('refuses an append that lands just after close() saw the journal idle: it never reaches a closed file, the journal is not broken', async () => {
    const d = dir()
    const lines: string[] = []
    const j = await FileJournal.open(d, { log: (l) => lines.push(l) })
    const s = j.store(key(1))
    await s.append([record.approve('before')])
    // The desk's interleaving: a bot's pass, still running, appends (its quote) in the microtasks between
    // close()'s last look for pending writes (settled() returning) and close() taking the files. Once,
    // that append was taken, its batch went out on the next turn behind the close, on closed handles:
    // "a write failed, the journal takes no more: ... file closed".
    const settled = j.settled.bind(j)
    let late: Promise<unknown> | null = null
    j.settled = async () => {
      await settled()
      late ??= s.append([record.approve('late')]).then(() => 'written', (e: unknown) => e)
    }
    await j.close()
    expect(late, 'close() waited for the pending writes').not.toBeNull()
    expect(await late).toEqual(expect.objectContaining({ message: expect.stringMatching(CLOSED) }))
    await new Promise((r) => setImmediate(r)) // the turn in which a taken append's batch would be written
    expect(lines, 'the journal told of no failed write').toEqual([])
    await expect(s.appendUpdate(update(1))).rejects.toThrow(CLOSED)
    const again = await FileJournal.open(d)
    expect(intents(await again.store(key(1)).load())).toEqual(['before'])
    await again.close()
  })

  it('appends racing close: each either lands on disk (read back after a reopen) or is rejected with the closed error', async () => {
    // The moments at which a channel writes after close() began: every microtask of the first few
    // dozen after a point (close() looks for pending writes, then takes the files, within them), then later turns.
    const moments: { name: string; after: (p: Promise<unknown>) => Promise<unknown> }[] = [
      ...Array.from({ length: 40 }, (_, n) => ({ name: `${n} microtask(s)`, after: (p: Promise<unknown>) => microtasksAfter(p, n) })),
      { name: 'next turn (setImmediate)', after: (p: Promise<unknown>) => p.then(() => new Promise((r) => setImmediate(r))) },
      { name: 'a timer later', after: (p: Promise<unknown>) => p.then(() => new Promise((r) => setTimeout(r, 0))) },
      { name: 'two timers later', after: (p: Promise<unknown>) => p.then(() => new Promise((r) => setTimeout(r, 2))) },
    ]
    // Closed while idle (the moments count from close()), and closed with a write pending: then close()
    // waits for it, and the moments count from its acknowledgement (as a bot's pass goes on to its next
    // write when its last one resolves, in the same microtasks as close() sees the journal idle).
    // One journal per case: a write that close() waits for would move the others' moments.
    const refused: string[] = []
    for (const pending of [false, true]) {
      for (const m of moments) {
        const name = `${pending ? 'after the pending write resolved' : 'after close()'}: ${m.name}`
        const d = dir()
        const lines: string[] = []
        const j = await FileJournal.open(d, { log: (l) => lines.push(l) })
        // The journal's own promise of the pending write (no store wrapper between: the moment starts when it resolves).
        const pendingAppend = pending ? j.append(key(1), [record.approve('pending')]) : null
        const closed = j.close()
        const outcome = (p: Promise<void>) => p.then(() => 'landed' as const, (e: unknown) => e as Error)
        const s = j.store(key(2))
        const written = m.after(pendingAppend ?? Promise.resolve()).then(() => ({ record: outcome(s.append([record.approve('raced')])), update: outcome(s.appendUpdate(update(2))) }))
        await closed
        const w = await written
        const o = { record: await w.record, update: await w.update }
        expect(lines, `${name}: the journal told of no failed write`).toEqual([])
        for (const e of [o.record, o.update]) if (e !== 'landed') expect(e.message, `${name}: a refused write says the journal is closed`).toMatch(CLOSED)
        if (o.record !== 'landed') refused.push(name)
        const again = await FileJournal.open(d)
        const c = await again.store(key(2)).load()
        expect(intents(c), `${name}: the record is on disk iff its append resolved`).toEqual(o.record === 'landed' ? ['raced'] : [])
        expect(bytes(c), `${name}: the update is on disk iff its append resolved`).toEqual(o.update === 'landed' ? [[...update(2)]] : [])
        // Asked for before close() began: acknowledged (fsync'd) and on disk.
        if (pendingAppend) {
          await pendingAppend
          expect(intents(await again.store(key(1)).load()), `${name}: the pending write`).toEqual(['pending'])
        }
        await again.close()
      }
    }
    expect(refused, 'a write asked for after close() began is refused').toHaveLength(2 * moments.length)
  })

  it('close() twice, or again after it finished, closes once', async () => {
    const j = await FileJournal.open(dir())
    void j.store(key(1)).appendUpdate(update(1))
    await Promise.all([j.close(), j.close()])
    await j.close()
  })
})

describe('FileJournal after a crash', () => {
  it('ignores a torn last line and frame, skips garbage lines, and appends cleanly after them', async () => {
    const d = dir()
    const j = await FileJournal.open(d)
    await Promise.all([j.store(key(1)).append([record.approve('a')]), j.store(key(1)).appendUpdate(update(1)), j.store(key(2)).append([record.approve('b')])])
    await j.close()
    // Garbage in the middle (not JSON, a wrong shape, a bad channel key), then a torn record line and a torn frame.
    await appendFile(join(d, 'records.log'), `not json\n["a","${key(1)}"]\n["a","zz",[]]\n["r","${key(2)}",-1,[],[]]\n`)
    const [recordsAt, updatesAt] = [statSync(join(d, 'records.log')).size, statSync(join(d, 'updates.log')).size]
    const tornLine = `["a","${key(2)}",[{"k":"approve","intent":"b`
    await appendFile(join(d, 'records.log'), tornLine)
    await appendFile(join(d, 'updates.log'), new Uint8Array([0, 0, 0, 99, 1, 2, 3]))
    const lines: string[] = []
    const j2 = await FileJournal.open(d, { log: (l) => lines.push(l) })
    expect(j2.stats.skippedLines).toBe(4)
    // The torn ends, cut off, are set aside as they were; the garbage lines stay in records.log until a rewrite.
    expect(setAside(d).map(untimed)).toEqual([
      { head: `records.log byte ${recordsAt}, ${tornLine.length} bytes, set aside by the opening: a last line with no newline (torn by a crash mid-write, or its newline is damaged)`, bytes: Buffer.from(tornLine) },
      { head: `updates.log byte ${updatesAt}, 7 bytes, set aside by the opening: a frame of 103 bytes that runs past the end of the file (torn by a crash mid-write, or its length is damaged)`, bytes: Buffer.from([0, 0, 0, 99, 1, 2, 3]) },
    ])
    expect(j2.stats).toMatchObject({ setAside: 2, setAsideBytes: tornLine.length + 7 })
    expect(lines).toEqual([
      `records.log holds 4 lines it cannot read: skipped, kept in the log as they are, and set aside in ${join(d, 'damaged.log')} by the next rewrite (before it drops them); each channel a line belongs to is given it as an unreadable record (its store reports it)`,
      expect.stringMatching(/^set aside the end of records\.log it cannot read \(\d+ bytes from byte \d+: a last line with no newline .*\) in .*damaged\.log, then cut it off the log$/),
      expect.stringMatching(/^set aside the end of updates\.log it cannot read \(7 bytes from byte \d+: a frame of 103 bytes that runs past the end of the file .*\) in .*damaged\.log, then cut it off the log$/),
    ])
    const c1 = await j2.store(key(1)).load()
    expect([intents(c1), bytes(c1)]).toEqual([['a'], [[1, 2, 3]]])
    const c2first = await j2.store(key(2)).load()
    expect(intents(c2first)).toEqual(['b'])
    // Each line whose first bytes name a channel is given to that channel as an unreadable record; the
    // others (no channel, and no version in their text) to none.
    const garbageAt = recordsAt - Buffer.byteLength(`not json\n["a","${key(1)}"]\n["a","zz",[]]\n["r","${key(2)}",-1,[],[]]\n`)
    expect([unread(c1), unread(c2first)]).toEqual([[[garbageAt + 9, null]], [[recordsAt - Buffer.byteLength(`["r","${key(2)}",-1,[],[]]\n`), null]]])
    // The torn tails were cut off: what is appended now is read back whole.
    await Promise.all([j2.store(key(2)).append([record.approve('after')]), j2.store(key(2)).appendUpdate(update(5))])
    await j2.close()
    const j3 = await FileJournal.open(d)
    const c2 = await j3.store(key(2)).load()
    expect([intents(c2), bytes(c2)]).toEqual([['b', 'after'], [[5, 6, 7]]])
    await j3.close()
  })

  it('a torn replace leaves the channel its previous contents, updates included', async () => {
    const d = dir()
    const j = await FileJournal.open(d)
    const s = j.store(key(1))
    await s.append([record.approve('old')])
    await s.appendUpdate(update(1))
    await j.store(key(2)).append([record.approve('other')])
    await j.close()
    const before = readFileSync(join(d, 'records.log'))
    // The same replace, written whole on a copy of the journal, gives its reset line; torn, half of it.
    const full = dir()
    await appendFile(join(full, 'records.log'), before)
    const jf = await FileJournal.open(full)
    await jf.store(key(1)).replace([record.approve('compact')], update(9))
    await jf.close()
    const resetLine = readFileSync(join(full, 'records.log')).subarray(before.length)
    expect(resetLine.toString('utf8')).toMatch(/^\["r",/)
    await appendFile(join(d, 'records.log'), resetLine.subarray(0, resetLine.length - 10))
    const j2 = await FileJournal.open(d)
    const c = await j2.store(key(1)).load()
    expect([intents(c), bytes(c)]).toEqual([['old'], [[1, 2, 3]]])
    expect(intents(await j2.store(key(2)).load())).toEqual(['other'])
    await j2.close()
    // And the whole line is the replace.
    const j3 = await FileJournal.open(full)
    const cf = await j3.store(key(1)).load()
    expect([intents(cf), bytes(cf)]).toEqual([['compact'], [[9, 10, 11]]])
    await j3.close()
  })

  it('rewrites itself past its threshold once three quarters are dead, keeping every channel live contents and dropping the dead ones', async () => {
    const d = dir()
    const j = await FileJournal.open(d, { rewriteAt: 4_000 })
    const stores = [1, 2, 3].map((n) => j.store(key(n)))
    const big = 'dead'.repeat(400)
    for (let round = 0; round < 10; round++) {
      // Channel 1 writes much and compacts every round: all but its last compact form is dead.
      await Promise.all([stores[0]!.append([record.approve(`${big}-${round}`)]), stores[0]!.appendUpdate(new Uint8Array(300).fill(round))])
      await stores[0]!.replace([record.approve(`live-1-${round}`)], update(round))
      // Channels 2 and 3 only append: all live.
      await Promise.all([stores[1]!.append([record.approve(`2-${round}`)]), stores[2]!.append([record.approve(`3-${round}`)]), stores[2]!.appendUpdate(update(round))])
      // A rewrite runs beside the appends (the test below covers that); here each round waits for it, so
      // what is dead at each check, and so what the logs hold at the end, does not depend on timing.
      await j.settled()
    }
    await j.settled()
    expect(j.stats.rewrites).toBeGreaterThan(0)
    expect(j.stats.rewriteFailures).toBe(0)
    const records = readFileSync(join(d, 'records.log'), 'utf8')
    expect(records).not.toContain(`${big}-0`)
    expect(records).not.toContain('live-1-0')
    // Of channel 1's ten big appends, those before the last rewrite are gone (a rewrite waits until three quarters are dead).
    expect(records.split(big).length - 1).toBeLessThanOrEqual(3)
    expect(statSync(join(d, 'records.log')).size + statSync(join(d, 'updates.log')).size).toBeLessThan(12_000) // ~25 KB written
    await Promise.all([stores[2]!.appendUpdate(update(77)), stores[0]!.append([record.approve('after-rewrite')])])
    const check = async (jj: FileJournal, label: string) => {
      const c1 = await jj.store(key(1)).load()
      expect([intents(c1), bytes(c1)], label).toEqual([['live-1-9', 'after-rewrite'], [[9, 10, 11]]])
      expect(intents(await jj.store(key(2)).load()), label).toEqual(Array.from({ length: 10 }, (_, r) => `2-${r}`))
      const c3 = await jj.store(key(3)).load()
      expect(intents(c3), label).toEqual(Array.from({ length: 10 }, (_, r) => `3-${r}`))
      expect(c3.updates.map((u) => u[0]), label).toEqual([...Array.from({ length: 10 }, (_, r) => r), 77])
    }
    await check(j, 'the same journal')
    await j.close()
    const j2 = await FileJournal.open(d, { rewriteAt: 4_000 })
    await check(j2, 'reopened')
    await j2.close()
  })

  it('a rewrite reads its logs a piece at a time: with pieces shorter than a line or a frame it writes the same logs, the lines it cannot read set aside', async () => {
    // The same history, with a rewrite read 7, 64 or 333 bytes at a time (every line and frame cut
    // across pieces) and 4 MiB at a time (each log in one piece).
    const history = async (copyChunk: number | undefined) => {
      const d = dir()
      const j0 = await FileJournal.open(d)
      await j0.store(key(1)).append([record.approve('before-garbage')])
      await j0.close()
      // A garbage line, and a reset line whose updates are not strings: both skipped when read.
      await appendFile(join(d, 'records.log'), `not a line of ours\n["r","${key(1)}",5,[],[7]]\n`)
      const j = await FileJournal.open(d, { rewriteAt: 4_000, copyChunk })
      expect(j.stats.skippedLines).toBe(2)
      const stores = [1, 2].map((n) => j.store(key(n)))
      for (let round = 0; round < 10; round++) {
        await Promise.all([stores[0]!.append([record.approve(`${'dead'.repeat(300)}-${round}`)]), stores[0]!.appendUpdate(new Uint8Array(200).fill(round))])
        await stores[0]!.replace([record.approve(`live-1-${round}`)], update(round))
        await Promise.all([stores[1]!.append([record.approve(`2-${round}`)]), stores[1]!.appendUpdate(update(round))])
        await j.settled()
      }
      expect(j.stats.rewrites).toBeGreaterThan(0)
      expect(j.stats.rewriteFailures).toBe(0)
      expect(intents(await j.store(key(1)).load())).toEqual(['live-1-9'])
      const c2 = await j.store(key(2)).load()
      expect([intents(c2), c2.updates.map((u) => u[0])]).toEqual([Array.from({ length: 10 }, (_, r) => `2-${r}`), Array.from({ length: 10 }, (_, r) => r)])
      await j.close()
      return { records: readFileSync(join(d, 'records.log'), 'utf8'), updates: readFileSync(join(d, 'updates.log')), setAside: setAside(d).map(untimed) }
    }
    const whole = await history(undefined)
    expect(whole.records).not.toContain('not a line of ours')
    expect(whole.records).not.toContain('before-garbage')
    // Out of records.log, into damaged.log (by the first rewrite, once), as they were.
    expect(whole.setAside.map((p) => [p.head.replace(/ byte \d+,/, ''), p.bytes.toString('utf8')])).toEqual([
      ['records.log 19 bytes, set aside by a rewrite: a line it cannot read', 'not a line of ours\n'],
      ['records.log 82 bytes, set aside by a rewrite: a reset line it cannot read (a channel\'s compact records and doc updates)', `["r","${key(1)}",5,[],[7]]\n`],
    ])
    // Channel 1's ten 240-byte frames were each dead after its next reset: those before the last rewrite are gone.
    expect(whole.updates.length).toBeLessThan(10 * 240)
    for (const copyChunk of [7, 64, 333]) expect(await history(copyChunk), `${copyChunk} bytes at a time`).toEqual(whole)
  })

  it('opening, and a channel\'s second load, read the logs a piece at a time: the same contents with pieces shorter than a line or a frame, and nothing from a frame whose length is impossible', async () => {
    // One history on disk: three channels, a replace (its earlier lines and frames dead), garbage
    // lines, then a frame whose length field is impossible (smaller than a frame's head) followed
    // by frames that would read well: the log is unreadable from that frame on, as if torn there.
    const src = dir()
    const j0 = await FileJournal.open(src)
    const [s1, s2, s3] = [1, 2, 3].map((n) => j0.store(key(n)))
    for (let r = 0; r < 4; r++) {
      await Promise.all([s1!.append([record.approve(`1-${r}-${'x'.repeat(50 * r)}`)]), s1!.appendUpdate(new Uint8Array(40 + r).fill(r)), s2!.append([record.approve(`2-${r}`)]), s3!.appendUpdate(update(r))])
      if (r === 1) await s1!.replace([record.approve('1-compact')], update(9))
    }
    await j0.close()
    // Garbage: a run of junk far longer than a piece (read in pieces that double), and two short lines.
    await appendFile(join(src, 'records.log'), `${'\u0000junk'.repeat(2_000)}\nnot json\n["a","zz",[]]\n`)
    const goodRecords = statSync(join(src, 'records.log')).size
    await appendFile(join(src, 'records.log'), `["a","${key(2)}",[{"k":"approve","intent":"torn`)
    const goodUpdates = statSync(join(src, 'updates.log')).size
    await appendFile(join(src, 'updates.log'), new Uint8Array([0, 0, 0, 2, 9, 9]))
    await appendFile(join(src, 'updates.log'), readFileSync(join(src, 'updates.log')).subarray(0, 60))
    const read = async (copyChunk: number | undefined) => {
      const d = dir()
      for (const f of ['records.log', 'updates.log']) await appendFile(join(d, f), readFileSync(join(src, f)))
      const j = await FileJournal.open(d, { copyChunk })
      const first = await Promise.all([1, 2, 3].map(async (n) => { const c = await j.store(key(n)).load(); return [intents(c), bytes(c)] }))
      // A second load of a channel reads the files again (here: after an append to it).
      await j.store(key(1)).append([record.approve('1-after')])
      const again = await j.store(key(1)).load()
      const out = { skipped: j.stats.skippedLines, sizes: [statSync(join(d, 'records.log')).size, statSync(join(d, 'updates.log')).size], first, again: [intents(again), bytes(again)], setAside: setAside(d).map(untimed) }
      await j.close()
      return out
    }
    const whole = await read(undefined)
    expect(whole.skipped).toBe(3)
    // Cut at the torn line and at the impossible frame (then appended to: the records by one line),
    // what was cut set aside as it was.
    expect(whole.sizes[1]).toBe(goodUpdates)
    const srcRecords = readFileSync(join(src, 'records.log'))
    const srcUpdates = readFileSync(join(src, 'updates.log'))
    expect(whole.setAside).toEqual([
      { head: `records.log byte ${goodRecords}, ${srcRecords.length - goodRecords} bytes, set aside by the opening: a last line with no newline (torn by a crash mid-write, or its newline is damaged)`, bytes: srcRecords.subarray(goodRecords) },
      { head: `updates.log byte ${goodUpdates}, ${srcUpdates.length - goodUpdates} bytes, set aside by the opening: a frame whose length (2) is impossible: no frame after it can be told apart`, bytes: srcUpdates.subarray(goodUpdates) },
    ])
    expect(whole.sizes[0]).toBeGreaterThan(goodRecords)
    expect(readFileSync(join(dirs[dirs.length - 1]!, 'records.log'), 'utf8')).not.toContain('torn')
    expect(whole.first[0]).toEqual([['1-compact', '1-2-' + 'x'.repeat(100), '1-3-' + 'x'.repeat(150)], [[9, 10, 11], new Array(42).fill(2), new Array(43).fill(3)]])
    expect(whole.first[1]).toEqual([['2-0', '2-1', '2-2', '2-3'], []])
    expect(whole.first[2]).toEqual([[], [0, 1, 2, 3].map((r) => [r, r + 1, r + 2])])
    expect(whole.again).toEqual([[...whole.first[0]![0]!, '1-after'], whole.first[0]![1]])
    for (const copyChunk of [7, 64, 333]) expect(await read(copyChunk), `${copyChunk} bytes at a time`).toEqual(whole)
  })

  it('a rewrite whose copy of one log fails (the log is shorter than written) is given up: the old logs are kept and written on', async () => {
    const d = dir()
    const lines: string[] = []
    // 7 bytes at a time: records.log's copy is still going when updates.log's fails.
    const j = await FileJournal.open(d, { rewriteAt: 3_000, copyChunk: 7, log: (l) => lines.push(l) })
    const [s1, s2] = [1, 2].map((n) => j.store(key(n)))
    await s2!.appendUpdate(new Uint8Array(100))
    await j.settled()
    // updates.log loses its bytes behind the journal's back: the rewrite's copy finds it short.
    truncateSync(join(d, 'updates.log'), 0)
    for (let r = 0; r < 3; r++) {
      await s1!.append([record.approve(`${'dead'.repeat(400)}-${r}`)])
      await s1!.replace([record.approve(`live-1-${r}`)], update(r))
    }
    await j.settled()
    expect([j.stats.rewrites, j.stats.rewriteFailures]).toEqual([0, 1])
    expect(lines[0]).toMatch(/^a rewrite failed \(1 so far\): journal: .*updates\.log ended at \d+ bytes, expected \d+; the old logs are kept/)
    expect(readdirSync(d).sort()).toEqual(['records.log', 'updates.log'])
    await s2!.append([record.approve('after')])
    expect(intents(await s2!.load())).toEqual(['after'])
    await j.close()
  })

  it('waits to rewrite until three quarters of its logs are dead: a copy of the live part then costs at most a third of what was written since', async () => {
    const d = dir()
    const j = await FileJournal.open(d, { rewriteAt: 4_000 })
    const [live, churn] = [1, 2].map((n) => j.store(key(n)))
    await live!.append([record.approve('live'.repeat(1_000))]) // ~4 KB, live throughout
    const round = async (r: number) => {
      await churn!.append([record.approve(`${'dead'.repeat(1_000)}-${r}`)])
      await churn!.replace([record.approve(`c-${r}`)], update(r)) // the ~4 KB before it is dead now
      await j.settled()
    }
    // About a half, then two thirds dead: past the size threshold, but not rewritten.
    await round(0)
    await round(1)
    expect(j.stats.rewrites).toBe(0)
    // Past three quarters: rewritten, the live line kept, the dead ones gone.
    await round(2)
    await round(3)
    expect(j.stats.rewrites).toBeGreaterThan(0)
    const records = readFileSync(join(d, 'records.log'), 'utf8')
    expect(records).toContain('live'.repeat(1_000))
    expect(records).not.toContain(`${'dead'.repeat(1_000)}-0`)
    await j.close()
  })

  it('tells its log of each rewrite, and of a rewrite that failed: the old logs are kept, written on and read back whole', async () => {
    const d = dir()
    const lines: string[] = []
    const j = await FileJournal.open(d, { rewriteAt: 3_000, log: (l) => lines.push(l) })
    const [s1, s2] = [1, 2].map((n) => j.store(key(n)))
    const big = 'dead'.repeat(400)
    // The first rewrite fails after its copy (as a full disk would); the journal carries on.
    j.onRewriteCopied = () => {
      throw new Error('no space left on device (test)')
    }
    const round = async (r: number) => {
      await s1!.append([record.approve(`${big}-${r}`)])
      await s1!.replace([record.approve(`live-1-${r}`)], update(r))
      await s2!.append([record.approve(`2-${r}`)])
    }
    for (let r = 0; r < 3; r++) await round(r)
    await j.settled()
    expect([j.stats.rewrites, j.stats.rewriteFailures, j.lastRewriteError]).toEqual([0, 1, 'no space left on device (test)'])
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^a rewrite failed \(1 so far\): no space left on device \(test\); the old logs are kept and written on, next try past 0\.0 MB$/)
    expect(readdirSync(d).sort()).toEqual(['records.log', 'updates.log']) // the unfinished copies are removed
    // Once the logs have doubled, it tries again, and this time succeeds.
    j.onRewriteCopied = null
    let rounds = 3
    for (; rounds < 12 && j.stats.rewrites === 0; rounds++) await round(rounds)
    await j.settled()
    expect(j.stats.rewrites).toBe(1)
    expect(lines[1]).toMatch(/^rewrote its logs: \d+\.\d MB -> \d+\.\d MB live in \d+ ms, appends held \d+ ms$/)
    const last = rounds - 1
    await j.close()
    const j2 = await FileJournal.open(d)
    expect(intents(await j2.store(key(1)).load())).toEqual([`live-1-${last}`])
    expect(intents(await j2.store(key(2)).load())).toEqual(Array.from({ length: last + 1 }, (_, r) => `2-${r}`))
    await j2.close()
  })

  it.each([
    ['held for the tails, which are small', undefined],
    ['not held for the tails either (any tail copied while they go on)', 1],
  ])('appends are not held while a rewrite copies, and %s; what they wrote meanwhile (a reset included) is carried into the new logs', async (_, catchUpBytes) => {
    const d = dir()
    const j = await FileJournal.open(d, { rewriteAt: 3_000, catchUpBytes })
    const [s1, s2, s3] = [1, 2, 3].map((n) => j.store(key(n)))
    const big = 'dead'.repeat(400)
    const during: string[] = []
    let paused = 0
    j.onRewriteCopied = async () => {
      paused++
      if (paused > 1) return
      // The copy is done and the rewrite has not yet taken the logs: these appends must complete now.
      await Promise.all([s2!.append([record.approve('2-during')]), s2!.appendUpdate(update(50)), s3!.replace([record.approve('3-reset-during')], update(60))])
      during.push('acknowledged')
    }
    await Promise.all([s3!.append([record.approve('3-before')]), s3!.appendUpdate(update(40))])
    for (let round = 0; round < 4; round++) {
      await Promise.all([s1!.append([record.approve(`${big}-${round}`)]), s1!.appendUpdate(new Uint8Array(300).fill(round))])
      await s1!.replace([record.approve(`live-1-${round}`)], update(round))
    }
    await j.settled()
    expect([paused > 0, during, j.stats.rewrites, j.stats.rewriteFailures]).toEqual([true, ['acknowledged'], paused, 0])
    // The tails written during the first copy: copied while appends went on, or while they waited.
    if (catchUpBytes === undefined) expect(j.stats.rewriteCatchUps).toBe(0)
    else expect(j.stats.rewriteCatchUps).toBeGreaterThanOrEqual(1)
    const check = async (jj: FileJournal, label: string) => {
      const [c1, c2, c3] = [await jj.store(key(1)).load(), await jj.store(key(2)).load(), await jj.store(key(3)).load()]
      expect([intents(c1), bytes(c1)], label).toEqual([['live-1-3'], [[3, 4, 5]]])
      expect([intents(c2), bytes(c2)], label).toEqual([['2-during'], [[50, 51, 52]]])
      expect([intents(c3), bytes(c3)], label).toEqual([['3-reset-during'], [[60, 61, 62]]])
    }
    await check(j, 'the same journal')
    await j.close()
    expect(readFileSync(join(d, 'records.log'), 'utf8')).not.toContain(`${big}-0`)
    const j2 = await FileJournal.open(d)
    await check(j2, 'reopened')
    await j2.close()
  })

  it('a crash between the two renames of a rewrite (new records.log, old updates.log) reads the same', async () => {
    const d = dir()
    const j = await FileJournal.open(d)
    const [s1, s2] = [j.store(key(1)), j.store(key(2))]
    await Promise.all([s1.append([record.approve('dead'.repeat(500))]), s1.appendUpdate(new Uint8Array(500).fill(1)), s2.appendUpdate(update(20))])
    await s1.replace([record.approve('compact')], update(9))
    await Promise.all([s1.appendUpdate(update(10)), s2.append([record.approve('two')]), s2.appendUpdate(update(21))])
    await j.close()
    const oldUpdates = readFileSync(join(d, 'updates.log'))
    const j2 = await FileJournal.open(d, { rewriteAt: 1_000 })
    await j2.store(key(2)).append([record.approve('three')]) // past the threshold, more than half dead: rewritten
    await j2.settled()
    expect(j2.stats.rewrites).toBe(1)
    await j2.close()
    expect(readFileSync(join(d, 'updates.log')).length).toBeLessThan(oldUpdates.length)
    const read = async () => {
      const jj = await FileJournal.open(d)
      const [c1, c2] = [await jj.store(key(1)).load(), await jj.store(key(2)).load()]
      await jj.close()
      return [intents(c1), bytes(c1), intents(c2), bytes(c2)]
    }
    const expected = [['compact'], [[9, 10, 11], [10, 11, 12]], ['two', 'three'], [[20, 21, 22], [21, 22, 23]]]
    expect(await read(), 'both renamed').toEqual(expected)
    rmSync(join(d, 'updates.log'))
    await appendFile(join(d, 'updates.log'), oldUpdates)
    expect(await read(), 'records.log renamed, updates.log not').toEqual(expected)
  })

  it('does not rewrite live contents past the threshold (nothing would be dropped)', async () => {
    const j = await FileJournal.open(dir(), { rewriteAt: 2_000 })
    const s = j.store(key(1))
    for (let i = 0; i < 20; i++) await Promise.all([s.append([record.approve('live'.repeat(50))]), s.appendUpdate(new Uint8Array(100))])
    await j.settled()
    expect(j.stats.rewrites).toBe(0)
    expect((await s.load()).records).toHaveLength(20)
    await j.close()
  })
})

describe('FileJournal: nothing it stored is deleted because it cannot be read (set aside in damaged.log)', () => {
  /**
   * A journal whose channel 1 has a reset line with one bracket damaged (its compact store, 3 KB)
   * between two appends, and whose channel 2 has an append with damaged JSON: both lines unreadable.
   */
  async function damagedJournal() {
    const d = dir()
    const j = await FileJournal.open(d)
    const [s1, s2] = [j.store(key(1)), j.store(key(2))]
    await s1.append([record.approve('1-before')])
    await s1.replace([record.approve(`1-compact-${'x'.repeat(3_000)}`)], update(9))
    await Promise.all([s1.append([record.approve('1-after')]), s1.appendUpdate(update(10)), s2.append([record.approve('2-a')])])
    await j.close()
    const file = readFileSync(join(d, 'records.log'), 'utf8')
    const resetLine = file.split('\n').find((l) => l.startsWith(`["r","${key(1)}",`))! + '\n'
    const damagedReset = resetLine.replace(/\]\n$/, '}\n') // its last bracket
    const damagedAppend = `["a","${key(2)}",[{"k":"approve","intent":"2-damaged"]]\n`
    rmSync(join(d, 'records.log'))
    await appendFile(join(d, 'records.log'), file.replace(resetLine, damagedReset) + damagedAppend)
    return { d, damagedReset, damagedAppend, resetAt: Buffer.byteLength(file.slice(0, file.indexOf(resetLine))), appendAt: Buffer.byteLength(file) }
  }
  const contents = async (j: FileJournal) => {
    const [c1, c2] = [await j.store(key(1)).load(), await j.store(key(2)).load()]
    return [intents(c1), bytes(c1), intents(c2), bytes(c2), unread(c1), unread(c2)]
  }

  it('a damaged reset line stays in records.log and is reported at every open; the rewrite sets it aside byte for byte (once) instead of dropping it', async () => {
    const { d, damagedReset, damagedAppend, resetAt, appendAt } = await damagedJournal()
    // Each channel is given its unreadable line (neither names a version), before the rewrite and after it (its replacement).
    const expected = [['1-before', '1-after'], [[10, 11, 12]], ['2-a'], [], [[resetAt, null]], [[appendAt, null]]]
    for (let open = 0; open < 2; open++) {
      const lines: string[] = []
      const j = await FileJournal.open(d, { log: (l) => lines.push(l) })
      expect(j.stats.skippedLines).toBe(2)
      expect(lines).toEqual([`records.log holds 2 lines it cannot read: skipped, kept in the log as they are, and set aside in ${join(d, 'damaged.log')} by the next rewrite (before it drops them); each channel a line belongs to is given it as an unreadable record (its store reports it)`])
      expect(await contents(j)).toEqual(expected)
      await j.close()
      expect(readFileSync(join(d, 'records.log'), 'utf8')).toContain(damagedReset)
      expect(setAside(d), 'nothing set aside by an opening: the lines are still in the log').toEqual([])
    }
    // One append by channel 2 past a small threshold: the rewrite (the damaged reset line is dead weight).
    const lines: string[] = []
    const j = await FileJournal.open(d, { rewriteAt: 1_000, log: (l) => lines.push(l) })
    await j.store(key(2)).append([record.approve('2-b')])
    await j.settled()
    expect(j.stats).toMatchObject({ rewrites: 1, rewriteFailures: 0, setAside: 2, setAsideBytes: Buffer.byteLength(damagedReset) + damagedAppend.length })
    expect(lines[1]).toMatch(new RegExp(`^rewrote its logs: .* ms; set aside 2 pieces it cannot read \\(${Buffer.byteLength(damagedReset) + damagedAppend.length} bytes\\) in ${join(d, 'damaged.log')}$`))
    expect(setAside(d).map(untimed)).toEqual([
      { head: `records.log byte ${resetAt}, ${Buffer.byteLength(damagedReset)} bytes, set aside by a rewrite: a reset line it cannot read (a channel's compact records and doc updates)`, bytes: Buffer.from(damagedReset) },
      { head: `records.log byte ${appendAt}, ${damagedAppend.length} bytes, set aside by a rewrite: a line it cannot read`, bytes: Buffer.from(damagedAppend) },
    ])
    expect(readFileSync(join(d, 'records.log'), 'utf8')).not.toContain('x'.repeat(3_000))
    expected[2] = ['2-a', '2-b']
    expect(await contents(j)).toEqual(expected)
    await j.close()
    const aside = readFileSync(join(d, 'damaged.log'))
    // Gone from the log, so never set aside again; every valid record still loads.
    for (let open = 0; open < 2; open++) {
      const again: string[] = []
      const jj = await FileJournal.open(d, { rewriteAt: 1_000, log: (l) => again.push(l) })
      expect([jj.stats.skippedLines, again]).toEqual([0, []])
      expect(await contents(jj)).toEqual(expected)
      await jj.close()
    }
    expect(readFileSync(join(d, 'damaged.log'))).toEqual(aside)
  })

  it('a rewrite given up takes back what it set aside (still in the log): the one that succeeds sets each piece aside once', async () => {
    const { d, damagedReset, damagedAppend } = await damagedJournal()
    const failing = async () => {
      const j = await FileJournal.open(d, { rewriteAt: 1_000 })
      j.onRewriteCopied = () => {
        throw new Error('no space left on device (test)')
      }
      await j.store(key(2)).append([record.approve('2-more')])
      await j.settled()
      expect([j.stats.rewrites, j.stats.rewriteFailures, j.stats.setAside]).toEqual([0, 1, 0])
      await j.close()
      expect(readFileSync(join(d, 'records.log'), 'utf8')).toContain(damagedReset)
    }
    // No damaged.log before: none after.
    await failing()
    expect(existsSync(join(d, 'damaged.log'))).toBe(false)
    // A damaged.log with a piece the opening set aside (a torn last line): as it was after.
    await appendFile(join(d, 'records.log'), '["a","torn')
    const j0 = await FileJournal.open(d)
    await j0.close()
    const before = readFileSync(join(d, 'damaged.log'))
    expect(setAside(d).map((p) => p.bytes.toString())).toEqual(['["a","torn'])
    await failing()
    expect(readFileSync(join(d, 'damaged.log'))).toEqual(before)
    // Then one that succeeds.
    const j = await FileJournal.open(d, { rewriteAt: 1_000 })
    await j.store(key(2)).append([record.approve('2-last')])
    await j.settled()
    expect(j.stats.rewrites).toBe(1)
    expect(intents(await j.store(key(2)).load())).toEqual(['2-a', '2-more', '2-more', '2-last'])
    await j.close()
    expect(setAside(d).map((p) => p.bytes.toString())).toEqual(['["a","torn', damagedReset, damagedAppend])
  })

  it.each([
    ["the first frame's length is impossible (smaller than a frame's head)", 0, 2, 'a frame whose length (2) is impossible: no frame after it can be told apart'],
    ["a middle frame's length runs past the end of the file", 3, 0x7fff_ffff, 'a frame of 2147483651 bytes that runs past the end of the file (torn by a crash mid-write, or its length is damaged)'],
  ])('updates.log: %s; the bytes from there on are set aside byte for byte (once), then cut off; every whole frame before, and every record, still loads', async (_, frame, length, why) => {
    const d = dir()
    const j = await FileJournal.open(d)
    const [s1, s2] = [j.store(key(1)), j.store(key(2))]
    for (let r = 0; r < 4; r++) {
      await Promise.all([s1.appendUpdate(update(r)), s2.appendUpdate(update(10 + r)), s1.append([record.approve(`1-${r}`)]), s2.append([record.approve(`2-${r}`)])])
    }
    await j.close()
    const frameBytes = 4 + 32 + 4 + 3
    const file = readFileSync(join(d, 'updates.log'))
    expect(file.length).toBe(8 * frameBytes)
    const at = frame * frameBytes
    file.writeUInt32BE(length, at)
    rmSync(join(d, 'updates.log'))
    await appendFile(join(d, 'updates.log'), file)
    const lines: string[] = []
    const j2 = await FileJournal.open(d, { log: (l) => lines.push(l) })
    expect(lines).toEqual([`set aside the end of updates.log it cannot read (${file.length - at} bytes from byte ${at}: ${why}) in ${join(d, 'damaged.log')}, then cut it off the log`])
    expect(setAside(d).map(untimed)).toEqual([{ head: `updates.log byte ${at}, ${file.length - at} bytes, set aside by the opening: ${why}`, bytes: file.subarray(at) }])
    expect(j2.stats).toMatchObject({ skippedLines: 0, setAside: 1, setAsideBytes: file.length - at })
    expect(statSync(join(d, 'updates.log')).size).toBe(at)
    // Frames alternate channel 1, channel 2: those before the damaged one load.
    const upto = (n: number, base: number) => Array.from({ length: n }, (_, r) => [base + r, base + r + 1, base + r + 2])
    const expected = [[0, 1, 2, 3].map((r) => `1-${r}`), upto(Math.ceil(frame / 2), 0), [0, 1, 2, 3].map((r) => `2-${r}`), upto(Math.floor(frame / 2), 10)]
    const c = async (jj: FileJournal) => {
      const [c1, c2] = [await jj.store(key(1)).load(), await jj.store(key(2)).load()]
      return [intents(c1), bytes(c1), intents(c2), bytes(c2)]
    }
    expect(await c(j2)).toEqual(expected)
    await j2.store(key(1)).appendUpdate(update(50))
    await j2.close()
    // Set aside once: the next opening finds a clean log and says nothing.
    const again: string[] = []
    const j3 = await FileJournal.open(d, { log: (l) => again.push(l) })
    expect(again).toEqual([])
    expect(await c(j3)).toEqual([expected[0], [...expected[1]!, [50, 51, 52]], expected[2], expected[3]])
    await j3.close()
    expect(setAside(d)).toHaveLength(1)
  })
})

describe('FileJournal: a line it cannot read still reaches its channel, and the floor it carries with it', () => {
  /** Three trades: A's records (the opening, three steps, decisions...), each appended to channel `k` of a journal in `d` as a line of its own. */
  async function threeTrades(d: string, k: string) {
    const params = makeParams()
    const opening = openingSigned(params)
    const [storeA, storeB] = [storeWithOpening(opening), storeWithOpening(opening)]
    const clock = () => T0 + 1000
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeA, clock })
    const b = await ChannelSession.open({ params, me: 'B', secretKey: keysB.secretKey, store: storeB, clock })
    const net = new SimNet(a.doc, b.doc, rng(1))
    net.sync()
    await net.settle([a, b])
    for (const q of quotePool(params, 'A', 3, T0 + DAY)) {
      await a.publishQuote(q)
      await net.settle([a, b])
      await b.accept(quoteHash(q.quote))
      await net.settle([a, b])
    }
    expect(a.view.latest!.state.version).toBe(3)
    await Promise.all([a.close(), b.close()])
    const j = await FileJournal.open(d)
    for (const r of storeA.records) await j.store(k).append([r as never])
    await j.close()
    return { params, clock }
  }
  const storage = async (j: FileJournal, k: string, params: ReturnType<typeof makeParams>) =>
    new SessionStorage(new MemoryChannelStore(), await j.store(k).load(), () => undefined, { params, verifier: createVerifier() })
  /** Opened twice after the rewrite set the damaged v3 line (at byte `at`) aside: nothing skipped, the channel still given it, the floor at 3. */
  async function expectFloorKeptAfterRewrite(d: string, k: string, params: ReturnType<typeof makeParams>, at: number): Promise<void> {
    for (let open = 0; open < 2; open++) {
      const j = await FileJournal.open(d)
      expect(j.stats.skippedLines).toBe(0)
      expect(unread(await j.store(k).load())).toEqual([[at, 3]])
      const s = await storage(j, k, params)
      expect([s.rejected.map((r) => r.code), s.latestVersion, s.highestStoredVersion()]).toEqual([['UNREADABLE'], 2, 3])
      await j.close()
    }
  }
  /** Makes another channel's lines dead (one large append, then a reset over it), so the journal rewrites. */
  async function forceRewrite(j: FileJournal, bytes: number): Promise<void> {
    await j.store(key(8)).append([record.approve('x'.repeat(bytes))])
    await j.store(key(8)).replace([record.approve('small')], update(1))
    await j.settled()
  }
  /** Damages the line of records.log that holds the step at version `v` (its last bracket), returning the line and its offset. */
  function damageStep(d: string, v: number): { line: string; at: number } {
    const file = readFileSync(join(d, 'records.log'), 'utf8')
    const line = file.split('\n').find((l) => l.includes('"k":"step"') && l.includes(`"version":${v},`))! + '\n'
    const damaged = line.replace(/\]\n$/, '\n')
    writeFileSync(join(d, 'records.log'), file.replace(line, damaged))
    return { line: damaged, at: Buffer.byteLength(file.slice(0, file.indexOf(line))) }
  }

  it('the highest step line damaged: its channel is given it, the store reports it (naming damaged.log), keeps the floor at 3, compacts and keeps it; the rewrite sets the line aside and the floor stays', async () => {
    const d = dir()
    const k = key(7)
    const { params, clock } = await threeTrades(d, k)
    const { line, at } = damageStep(d, 3)
    const j = await FileJournal.open(d, { rewriteAt: 2_000 })
    expect(j.stats.skippedLines).toBe(1)
    const s1 = await storage(j, k, params)
    expect(s1.rejected.map((r) => r.code)).toEqual(['UNREADABLE'])
    expect(s1.rejected[0]!.reason).toContain(`records.log (byte ${at}, ${Buffer.byteLength(line)} bytes) the journal cannot read`)
    expect(s1.rejected[0]!.reason).toContain(join(d, 'damaged.log'))
    expect([s1.latestVersion, s1.highestStoredVersion()]).toEqual([2, 3])
    // A session on it compacts its store (one reset line) and keeps the unreadable record in it.
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: j.store(k), clock, storeCompactAfter: 1 })
    await a.close({ compactStore: true })
    await j.settled()
    const resets = readFileSync(join(d, 'records.log'), 'utf8').split('\n').filter((l) => l.startsWith(`["r","${k}",`))
    expect(resets.length).toBeGreaterThan(0)
    expect(resets[resets.length - 1]).toContain('"k":"unreadable"')
    // A rewrite (the channel's lines before its reset, and another channel's, are dead): the line is set aside, once.
    await forceRewrite(j, 200_000)
    expect(j.stats.rewrites).toBeGreaterThan(0)
    await j.close()
    expect(setAside(d).map((p) => p.bytes.toString())).toEqual([line])
    await expectFloorKeptAfterRewrite(d, k, params, at)
  })

  it('a rewrite before the channel ever compacted writes, in place of the line it sets aside, an append of the unreadable record: the floor outlives the line', async () => {
    const d = dir()
    const k = key(7)
    const { params } = await threeTrades(d, k)
    const { line, at } = damageStep(d, 3)
    const jw = await FileJournal.open(d, { rewriteAt: 2_000 })
    await forceRewrite(jw, 50_000)
    expect(jw.stats.rewrites).toBe(1)
    await jw.close()
    expect(setAside(d).map((p) => p.bytes.toString())).toEqual([line])
    await expectFloorKeptAfterRewrite(d, k, params, at)
  })

  it('a line whose channel cannot be told is given to every channel with a line before it, if it names a version; garbage that names none to no channel', async () => {
    const d = dir()
    const j0 = await FileJournal.open(d)
    await j0.store(key(1)).append([record.approve('1')])
    await j0.store(key(2)).append([record.approve('2')])
    await j0.close()
    const before = statSync(join(d, 'records.log')).size
    const named = `["a","${'zz'.repeat(32)}",[{"k":"step","version":9}]]\n`
    await appendFile(join(d, 'records.log'), `junk without one\n${named}["a","${key(3)}",[{"k":"approve","intent":"3"}]]\n`)
    const j = await FileJournal.open(d)
    expect(j.stats.skippedLines).toBe(2)
    const at = before + 'junk without one\n'.length
    expect(await Promise.all([1, 2, 3].map(async (n) => unread(await j.store(key(n)).load())))).toEqual([[[at, 9]], [[at, 9]], []])
    await j.close()
  })

  it('opening: if damaged.log cannot be written, the error names it and what it was setting aside, and the logs are left as they were', async () => {
    const d = dir()
    const j0 = await FileJournal.open(d)
    await j0.store(key(1)).append([record.approve('1')])
    await j0.close()
    await appendFile(join(d, 'records.log'), `["a","${key(1)}",[{"k":"appr`)
    const size = statSync(join(d, 'records.log')).size
    await mkdir(join(d, 'damaged.log')) // it cannot be opened for appending
    await expect(FileJournal.open(d)).rejects.toThrow(new RegExp(`^journal ${d}: cannot open: writing ${join(d, 'damaged.log')} failed \\(.*EISDIR.*\\); it sets aside there, before cutting it off its log so that appends start clean, the end of records.log it cannot read \\(\\d+ bytes from byte \\d+: a last line with no newline`))
    expect(statSync(join(d, 'records.log')).size).toBe(size)
  })
})

describe('FileJournal migration from per-channel FileChannelStore directories', () => {
  it('reads an old directory into the journal, renames it, and a session on the journal restores the same latest state', async () => {
    const params = makeParams()
    const opening = openingSigned(params)
    const dataDir = dir()
    const legacy = join(dataDir, 'channels', key(0xab))
    const old = await FileChannelStore.open(legacy)
    await old.append(storeWithOpening(opening).records as never)
    let now = T0 + 1000
    const clock = () => now
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: old, clock })
    const b = await ChannelSession.open({ params, me: 'B', secretKey: keysB.secretKey, store: storeWithOpening(opening), clock })
    const net = new SimNet(a.doc, b.doc, rng(1))
    net.sync()
    const settle = () => net.settle([a, b])
    await settle()
    for (const q of quotePool(params, 'A', 3, T0 + DAY)) {
      await a.publishQuote(q)
      await settle()
      await b.accept(quoteHash(q.quote))
      await settle()
      now += 100
    }
    const latest = a.view.latestHash
    expect(a.view.latest!.state.version).toBe(3)
    await a.close()
    await b.close()
    await old.close()
    const legacyContent = await (await FileChannelStore.open(legacy)).load()
    expect(legacyContent.records.length).toBeGreaterThan(0)

    const j = await FileJournal.open(join(dataDir, 'journal'))
    expect(await j.migrate(key(0xab), legacy)).toBe('migrated')
    expect(existsSync(legacy)).toBe(false)
    expect(existsSync(`${legacy}.migrated`)).toBe(true) // never deleted
    expect(await j.migrate(key(0xab), legacy), 'nothing left to migrate').toBe('none')
    const store: ChannelStore = j.store(key(0xab))
    expect(await store.load()).toEqual(legacyContent)
    const a2 = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: j.store(key(0xab)), clock })
    expect(a2.view.latestHash).toBe(latest)
    expect(a2.view.latest!.state.version).toBe(3)
    await a2.close()
    await j.close()
    // Reopened: the journal holds it, and a leftover directory (a migration that stopped before its rename) is only renamed.
    const j2 = await FileJournal.open(join(dataDir, 'journal'))
    const again = await FileChannelStore.open(legacy)
    await again.append([record.approve('x')])
    await again.close()
    expect(await j2.migrate(key(0xab), legacy)).toBe('renamed')
    expect(existsSync(`${legacy}.migrated`) && !existsSync(legacy)).toBe(true)
    const a3 = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: j2.store(key(0xab)), clock })
    expect(a3.view.latestHash).toBe(latest)
    await a3.close()
    await j2.close()
  })
  it('migrating a legacy store with a line it cannot read keeps that line as an unreadable record naming where the directory went, across a reopen', async () => {
    const legacy = join(dir(), 'legacy-damaged')
    const old = await FileChannelStore.open(legacy)
    await old.append([record.approve('x')])
    await old.close()
    await appendFile(join(legacy, 'records.jsonl'), '{"k":"sig","state":{"version":9,"chann\u0000\n')
    const journalDir = join(dir(), 'journal')
    const j = await FileJournal.open(journalDir)
    expect(await j.migrate(key(0xcd), legacy)).toBe('migrated')
    const expectKept = (records: readonly unknown[]) => {
      expect(records).toHaveLength(2)
      expect(records[0]).toEqual(record.approve('x'))
      const u = records[1] as { k: string; why: string; version: number | null }
      expect([u.k, u.version]).toEqual(['unreadable', 9])
      expect(u.why).toContain(`line 2 of ${join(legacy, 'records.jsonl')}`)
      expect(u.why).toContain(`renamed ${legacy}.migrated once migrated`)
    }
    expectKept((await j.store(key(0xcd)).load()).records)
    await j.close()
    const j2 = await FileJournal.open(journalDir)
    expectKept((await j2.store(key(0xcd)).load()).records)
    await j2.close()
  })
})
