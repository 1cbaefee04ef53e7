import { describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppendLog, LogCorruptError, encodeRecord, readLog } from './log.ts'

async function logWith(records: string[]): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'otc-log-')), 'log.bin')
  const log = await AppendLog.open(path)
  await log.append(records.map((r) => Buffer.from(r)))
  await log.close()
  return path
}

describe('append-only log', () => {
  it('reads back what was appended', async () => {
    const path = await logWith(['a', 'bb', 'ccc'])
    expect(readLog(path).records.map(String)).toEqual(['a', 'bb', 'ccc'])
    rmSync(path)
  })

  it.each([
    ['a record cut mid-payload', (b: Buffer) => b.subarray(0, b.length - 2)],
    ['a record cut mid-header', (b: Buffer) => b.subarray(0, b.length - encodeRecord(Buffer.from('ccc')).length + 3)],
    ['a last record with a bad checksum', (b: Buffer) => Buffer.concat([b.subarray(0, b.length - 1), Buffer.from('X')])],
    ['a zero-filled tail', (b: Buffer) => Buffer.concat([b, Buffer.alloc(100)])],
  ])('drops a torn tail: %s', async (_name, tear) => {
    const path = await logWith(['a', 'bb', 'ccc'])
    writeFileSync(path, tear(readFileSync(path)))
    const { records, droppedBytes } = readLog(path, true)
    expect(droppedBytes).toBeGreaterThan(0)
    expect(records.map(String).slice(0, 2)).toEqual(['a', 'bb'])
    expect(readLog(path)).toMatchObject({ droppedBytes: 0 })
    const log = await AppendLog.open(path)
    await log.append([Buffer.from('dd')])
    await log.close()
    expect(readLog(path).records.map(String).at(-1)).toBe('dd')
    rmSync(path)
  })

  it('refuses to open when a damaged record is followed by good ones', async () => {
    const path = await logWith(['a', 'bb', 'ccc'])
    const b = readFileSync(path)
    b[8 + 8] = 'z'.charCodeAt(0) // payload of the first record
    writeFileSync(path, b)
    expect(() => readLog(path, true)).toThrow(LogCorruptError)
    expect(statSync(path).size).toBe(b.length)
    rmSync(path)
  })
})
