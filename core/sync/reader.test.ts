import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { readChannelDoc } from './reader.ts'
import { ensureEpoch, writeQuote, MAX_ENTRY_CHARS, MAX_EPOCH_CHARS } from './schema.ts'
import { makeParams, quotePool, T0 } from './testkit.ts'
import { channelIdOf } from '../channel.ts'
import { quoteHash } from '../quote.ts'

describe('the epoch budget', () => {
  it('an oversized junk entry is rejected without crowding out honest entries', () => {
    const params = makeParams()
    const doc = new Y.Doc()
    const epoch = ensureEpoch(doc, channelIdOf(params))
    const junk = 'x'.repeat(MAX_EPOCH_CHARS - 100) // leaves no room for anything else if it were counted
    expect(junk.length).toBeGreaterThan(MAX_ENTRY_CHARS)
    doc.transact(() => epoch.set('checkpoint', junk)) // read before every section
    const [q] = quotePool(params, 'B', 1, T0 + 60_000, 1n)
    writeQuote(doc, epoch, quoteHash(q!.quote), q!, null)
    const contents = readChannelDoc(doc, params)
    expect(contents.quotes.has(quoteHash(q!.quote)), 'the honest quote must still be read').toBe(true)
    expect(contents.rejected.map((r) => [r.area, r.code])).toContainEqual(['checkpoint', 'TOO_LARGE'])
  })
})
