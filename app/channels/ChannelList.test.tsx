// Renaming a counterparty from the channel list: a bad name is refused beside the field and never
// reaches the list, an unchanged one writes nothing, and a failed write says the old name stands.
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { channelIdOf, generateKeyPair } from '../../core/index.ts'
import { channelRoomSecret } from '../../core/sync/index.ts'
import { makeParams } from '../../core/sync/testkit.ts'
import { RenameChannel, RenameForm, submitRename } from './ChannelList.tsx'
import { LabelError, type ChannelRecord } from './channelRecords.ts'

const owner = generateKeyPair()
const params = { ...makeParams(60), partyA: owner.publicKey }
const record: ChannelRecord = { channelId: channelIdOf(params), params, me: 'A', roomSecret: channelRoomSecret(owner.secretKey, params, 'A'), deposits: { A: 0n, B: 0n }, label: 'peer KQNRC', createdAt: 1, restoredAt: 1 }
const id8 = record.channelId.slice(0, 8)

/** An onRename that records what it was asked, and fails with `fail` when given. */
function renames(fail?: Error) {
  const asked: [string, string][] = []
  const onRename = async (channelId: string, name: string) => {
    asked.push([channelId, name])
    if (fail) throw fail
  }
  return { asked, onRename }
}

describe('submitRename', () => {
  it('saves the name trimmed, for that channel', async () => {
    const r = renames()
    expect(await submitRename(record, '  Bob at Desk B ', r.onRename)).toEqual({ ok: true })
    expect(r.asked).toEqual([[record.channelId, 'Bob at Desk B']])
  })

  it.each([
    ['  ', 'LABEL_EMPTY', 'Type a name for the counterparty: it cannot be empty or only spaces.'],
    ['B'.repeat(41), 'LABEL_TOO_LONG', 'The name is 41 characters long; it may have at most 40. Shorten it.'],
    ['Bob\u0007', 'LABEL_CONTROL_CHARACTER', 'The name holds an invisible control character (U+0007) at character 4: a name is plain text on one line. Type it again without it.'],
  ])('refuses %j with the reason and saves nothing', async (draft, code, text) => {
    const r = renames()
    expect(await submitRename(record, draft, r.onRename)).toEqual({ ok: false, problem: { text, code } })
    expect(r.asked, 'nothing reached the list').toEqual([])
  })

  it('writes nothing when the name is unchanged', async () => {
    const r = renames()
    expect(await submitRename(record, ' peer KQNRC ', r.onRename)).toEqual({ ok: true })
    expect(r.asked).toEqual([])
  })

  it("says the old name stands when the write fails, and passes the list's own refusal as it is", async () => {
    expect(await submitRename(record, 'Bob', renames(new Error('QuotaExceededError')).onRename)).toEqual({
      ok: false, problem: { text: 'Could not save the name, so peer KQNRC keeps its old one: QuotaExceededError', code: null },
    })
    const gone = new LabelError('LABEL_NO_CHANNEL', `Channel ${id8} is no longer in your list, so nothing was renamed.`)
    expect(await submitRename(record, 'Bob', renames(gone).onRename)).toEqual({ ok: false, problem: { text: gone.message, code: 'LABEL_NO_CHANNEL' } })
  })
})

describe('the rename controls', () => {
  it('offer "Rename" under the channel, named for its counterparty (starting with "Rename", so no "^<name>" button selector finds it)', () => {
    const html = renderToStaticMarkup(<RenameChannel record={record} onRename={renames().onRename} />)
    expect(html).toContain(`aria-label="Rename peer KQNRC (${id8})"`)
    expect(html).toContain(`data-testid="rename-${id8}"`)
    expect(html.replace(/<[^>]+>/g, '')).toBe('Rename')
  })

  it('show the field at most 40 long, and the problem beside it, tied to it for screen readers', () => {
    const noop = () => {}
    const html = renderToStaticMarkup(
      <RenameForm record={record} draft="Bob	Smith" problem={{ text: 'The name holds an invisible control character (U+0009) at character 4.', code: 'LABEL_CONTROL_CHARACTER' }} saving={false} onDraft={noop} onSave={noop} onCancel={noop} />,
    )
    expect(html).toContain('maxLength="40"')
    expect(html).toContain('aria-invalid="true"')
    expect(html).toContain(`aria-describedby="rename-problem-${id8}"`)
    expect(html).toMatch(new RegExp(`<p id="rename-problem-${id8}"[^>]*role="alert"[^>]*><span [^>]*data-code="LABEL_CONTROL_CHARACTER">The name holds an invisible control character \\(U\\+0009\\) at character 4\\.</span></p>`))
    expect(html.replace(/<[^>]+>/g, '|')).toContain('Name for this counterparty (only you see it: nothing is sent to them)')
    const saving = renderToStaticMarkup(<RenameForm record={record} draft="Bob" problem={null} saving onDraft={noop} onSave={noop} onCancel={noop} />)
    expect(saving).toContain('Saving…')
    expect(saving).not.toContain('aria-describedby')
  })
})
