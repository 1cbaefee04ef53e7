// What a channel's host steps the notice center with: nothing until the snapshot is read in full,
// and a restored channel says so (its restore's trades are old: deskMemoryOf waits for them).
import { describe, expect, it } from 'vitest'
import type { Hex } from '../../core/index.ts'
import type { ChannelView } from '../../core/sync/index.ts'
import type { BookView } from '../blotter/useBook.ts'
import { noticeStepOf, type ChannelNoticeSource } from './useNotices.ts'

const record = { channelId: `0x${'c'.repeat(64)}` as Hex, label: 'Bob', me: 'B' as const, params: { asset: 'USDC', assetDecimals: 6 } }
const view = (version: number | null) => ({ quotes: [], rfqs: [], latest: version === null ? null : { state: { version } } }) as unknown as ChannelView
const book = (loaded: boolean) => ({ fills: [], closed: [], keeping: { loaded } }) as unknown as BookView
const source = (o: Partial<ChannelNoticeSource> = {}): ChannelNoticeSource => ({ record, view: view(null), book: book(true), chain: null, ...o })

describe('noticeStepOf', () => {
  it('steps only with a snapshot read in full: the view, the kept book and the contract', () => {
    expect(noticeStepOf(source({ view: null }), null)).toBeNull()
    expect(noticeStepOf(source({ book: book(false) }), null)).toBeNull()
    expect(noticeStepOf(source({ chain: undefined }), null)).toBeNull()
    expect(noticeStepOf(source({ view: view(4) }), null)).toMatchObject({ me: 'B', peerName: 'Bob', chain: null, latestVersion: 4, restored: false })
  })

  it('marks a channel restored on this device, whose states arrive after the first look', () => {
    expect(noticeStepOf(source({ record: { ...record, restoredAt: 1_700_000_000_000 } }), null)).toMatchObject({ latestVersion: -1, restored: true })
  })
})
