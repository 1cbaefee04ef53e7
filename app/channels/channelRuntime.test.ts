// A channel's runtime released while it is still starting (the trader pressed Lock, or left the
// screen, during the first second after unlocking): what it was opening is closed, and no room is
// opened with the key.
import 'fake-indexeddb/auto'
import { afterEach, expect, it, vi } from 'vitest'
import { channelIdOf } from '../../core/index.ts'
import { ChannelRoom, ChannelSession } from '../../core/sync/index.ts'
import { keysB, makeParams } from '../../core/sync/testkit.ts'
import type { ChannelRecord } from './channelRecords.ts'
import { ChannelRuntime } from './channelRuntime.ts'

const hooks = globalThis as { __otcBeforeConnect?: Promise<unknown> }
afterEach(() => {
  delete hooks.__otcBeforeConnect
  vi.restoreAllMocks()
})

it('released before its room opened: the session it opened is closed, and no room is opened', async () => {
  let connect!: () => void
  hooks.__otcBeforeConnect = new Promise<void>((r) => (connect = r))
  const opened = vi.spyOn(ChannelSession, 'open')
  const closed = vi.spyOn(ChannelSession.prototype, 'close')
  const room = vi.spyOn(ChannelRoom, 'open')
  const params = makeParams(7)
  const record: ChannelRecord = { channelId: channelIdOf(params), params, me: 'B', roomSecret: '5a'.repeat(32), deposits: { A: 1_000n, B: 1_000n }, label: 'Alice', createdAt: 0 }
  const rt = ChannelRuntime.acquire(record, keysB, () => Date.now())
  // The session is open and waits for the connection hook (as after unlock, before the media grant).
  await vi.waitFor(async () => expect(await opened.mock.results[0]?.value).toBeInstanceOf(ChannelSession))
  rt.release()
  await new Promise((r) => setTimeout(r, 10)) // release closes on the next turn
  connect()
  await vi.waitFor(() => expect(closed).toHaveBeenCalledTimes(1))
  expect(room).not.toHaveBeenCalled()
  expect(rt.getSnapshot()).toMatchObject({ status: 'opening', session: null, room: null })
})
